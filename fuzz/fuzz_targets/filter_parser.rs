//! Any bytes (as lossy UTF-8) through the filter parser, then through the check against a schema
//! with and without access to sensitive fields. Nothing may panic, and a parsed filter printed
//! back must parse to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_domain::records::filter::MAX_INPUT_BYTES;
use rampart_domain::records::{FilterAccess, check_filter, parse_filter};

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let Ok(filter) = parse_filter(&input) else {
        return;
    };
    let schema = rampart_fuzz::schema();
    for read_sensitive in [false, true] {
        let _ = check_filter(&filter, schema, FilterAccess { read_sensitive });
    }
    let printed = filter.to_string();
    // Printing adds spaces: a filter near the size limit may print longer than the limit.
    if printed.len() <= MAX_INPUT_BYTES {
        assert_eq!(parse_filter(&printed).as_ref(), Ok(&filter), "printed as {printed:?}");
    }
});
