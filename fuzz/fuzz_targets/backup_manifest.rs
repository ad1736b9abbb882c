//! Any bytes as a backup's manifest file (`NAME.manifest.json`, plaintext beside the backup:
//! whoever can write the backup directory controls it), through the reader `restore`,
//! `backup verify` and drills use. Nothing may panic, and a manifest that is accepted must be
//! written back by `backup create`'s writer to text that reads as the same manifest.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_http::fuzzing;

fuzz_target!(|data: &[u8]| {
    let Ok(manifest) = fuzzing::parse_manifest(data) else {
        return;
    };
    let text = fuzzing::manifest_text(&manifest).expect("an accepted manifest can be written");
    let again = fuzzing::parse_manifest(&text).expect("a written manifest reads back");
    assert_eq!(again, manifest);
});
