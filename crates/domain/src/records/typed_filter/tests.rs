use super::*;
use crate::records::filter::parse_filter;
use crate::records::test_schema;

const PLAIN: FilterAccess = FilterAccess { read_sensitive: false };
const SENSITIVE: FilterAccess = FilterAccess { read_sensitive: true };

fn check_as(input: &str, access: FilterAccess) -> Result<TypedFilter, FilterError> {
    check_filter(&parse_filter(input).unwrap(), &test_schema(), access)
}

fn check(input: &str) -> Result<TypedFilter, FilterError> {
    check_as(input, PLAIN)
}

/// The (target, value) of a filter that is one comparison.
fn compared(input: &str) -> (Target, Scalar) {
    match check(input).unwrap() {
        TypedFilter::Compare { target, value, .. } => (target, value),
        other => panic!("not a comparison: {other:?}"),
    }
}

fn value_of(input: &str) -> Scalar {
    compared(input).1
}

fn text(value: &str) -> Scalar {
    Scalar::Text(value.into())
}

#[test]
fn fields_resolve_to_their_kind_and_columns_to_columns() {
    let (target, value) = compared("count = 3");
    let kind = FieldKind::Integer { min: Some(0), max: Some(1000) };
    assert_eq!(target, Target::Field { name: FieldName::parse("count").unwrap(), kind });
    assert_eq!(value, Scalar::Integer(3));
    assert_eq!(
        compared("created_at > '2026-01-01T00:00:00Z'").0,
        Target::Column(Column::CreatedAt)
    );
    assert_eq!(compared("department = 'sales'").0, Target::Column(Column::Department));
}

#[test]
fn an_unknown_field_is_named_in_the_error() {
    assert_eq!(check("colour = 'red'"), Err(FilterError::UnknownField { field: "colour".into() }));
    let long = format!("{} = 1", "a".repeat(100));
    let Err(FilterError::UnknownField { field }) = check(&long) else { panic!() };
    assert_eq!(field.chars().count(), 64);
}

#[test]
fn structure_is_kept_while_leaves_are_checked() {
    let typed = check("!(count = 1 || paid = true) && status in ('open', 'won')").unwrap();
    let TypedFilter::And(items) = typed else { panic!() };
    assert!(matches!(&items[0], TypedFilter::Not(inner) if matches!(**inner, TypedFilter::Or(_))));
    let TypedFilter::In { values, .. } = &items[1] else { panic!() };
    assert_eq!(values, &[text("open"), text("won")]);
}

#[test]
fn numbers_must_fit_integer_and_decimal_fields() {
    assert_eq!(value_of("count = 3.0"), Scalar::Integer(3));
    assert_eq!(value_of("count = -9007199254740991"), Scalar::Integer(-9_007_199_254_740_991));
    assert!(matches!(check("count = 3.5"), Err(FilterError::Type { .. })));
    assert!(matches!(check("count = 9007199254740992"), Err(FilterError::Type { .. })));
    assert!(matches!(check("count = 99999999999999999999999"), Err(FilterError::Type { .. })));
    assert!(matches!(check("count = '3'"), Err(FilterError::Type { .. })));
    assert_eq!(value_of("total >= 10.005"), Scalar::Decimal(10.005));
    assert!(matches!(check("total = true"), Err(FilterError::Type { .. })));
    assert!(matches!(
        check(&format!("total = {}", "9".repeat(400))),
        Err(FilterError::Type { .. })
    ));
}

#[test]
fn booleans_take_true_or_false_and_text_kinds_take_strings() {
    assert_eq!(value_of("paid = false"), Scalar::Bool(false));
    assert!(matches!(check("paid = 'yes'"), Err(FilterError::Type { .. })));
    for input in ["title = 1", "notes = true", "email = 1", "status = 1", "customer = 1", "due = 1"]
    {
        assert!(matches!(check(input), Err(FilterError::Type { .. })), "{input}");
    }
}

#[test]
fn values_are_normalised_as_documents_store_them() {
    assert_eq!(value_of("due < '2026-12-01T11:00:00+01:00'"), text("2026-12-01T10:00:00.000000Z"));
    assert_eq!(value_of("email = ' Ada@Example.COM'"), text("Ada@Example.COM"));
    assert_eq!(
        value_of("customer = '0190A3C2-7D1E-7000-8000-00000000000F'"),
        text("0190a3c2-7d1e-7000-8000-00000000000f")
    );
    assert_eq!(
        value_of("id = '0190A3C2-7D1E-7000-8000-00000000000F'"),
        text("0190a3c2-7d1e-7000-8000-00000000000f")
    );
    assert_eq!(
        value_of("updated_at >= '2026-01-01T00:00:00Z'"),
        text("2026-01-01T00:00:00.000000Z")
    );
    assert_eq!(value_of("title = 'Invoice 7'"), text("Invoice 7"));
}

#[test]
fn values_that_cannot_be_stored_are_refused_without_being_repeated() {
    for input in [
        "due = 'SECRET'",
        "customer = 'SECRET'",
        "email = 'SECRET'",
        "owner_id = 'SECRET'",
        "department = 'SECRET'",
        "status = 'SECRET'",
    ] {
        let error = check(input).unwrap_err();
        assert!(matches!(error, FilterError::Value { .. }), "{input}: {error:?}");
        assert!(!error.to_string().contains("SECRET"), "{input}: {error}");
    }
    assert_eq!(
        check("status = 'maybe'").unwrap_err().to_string(),
        "the value for field `status` must be one of: open, won, lost"
    );
}

#[test]
fn json_fields_cannot_be_filtered() {
    assert_eq!(check("meta = 'x'"), Err(FilterError::JsonField { field: "meta".into() }));
    assert_eq!(check("meta in (1)"), Err(FilterError::JsonField { field: "meta".into() }));
}

#[test]
fn null_tests_presence_with_equals_and_not_equals_only() {
    assert_eq!(value_of("paid = null"), Scalar::Null);
    assert_eq!(value_of("due != null"), Scalar::Null);
    assert_eq!(value_of("owner_id = null"), Scalar::Null);
    assert_eq!(check("count < null"), Err(FilterError::NullOperator { field: "count".into() }));
    assert_eq!(check("title ~ null"), Err(FilterError::NullOperator { field: "title".into() }));
    assert_eq!(
        check("count in (1, null)"),
        Err(FilterError::NullOperator { field: "count".into() })
    );
}

#[test]
fn contains_works_on_text_like_fields_only() {
    assert_eq!(value_of("title ~ 'voi'"), text("voi"));
    assert_eq!(value_of("notes ~ 'x'"), text("x"));
    assert_eq!(value_of("email ~ '@Example'"), text("@Example"));
    assert_eq!(value_of("fax ~ '668-18'"), text("66818"));
    assert!(matches!(check("fax ~ '668x'"), Err(FilterError::Type { .. })));
    assert_eq!(value_of("fax = '044 668 18 00'"), text("0446681800"));
    for input in [
        "status ~ 'o'",
        "count ~ 1",
        "due ~ '2026'",
        "customer ~ 'a'",
        "department ~ 's'",
        "id ~ 'a'",
    ] {
        assert!(matches!(check(input), Err(FilterError::Operator { op: "~", .. })), "{input}");
    }
}

#[test]
fn ordering_works_on_numbers_dates_text_and_the_time_columns() {
    for input in [
        "count > 1",
        "total <= 2",
        "due >= '2026-01-01T00:00:00Z'",
        "title < 'm'",
        "created_at < '2026-01-01T00:00:00Z'",
    ] {
        assert!(check(input).is_ok(), "{input}");
    }
    for input in [
        "status > 'open'",
        "email < 'a'",
        "paid > true",
        "customer > 'x'",
        "notes > 'a'",
        "id > 'x'",
        "department < 'x'",
    ] {
        assert!(matches!(check(input), Err(FilterError::Operator { .. })), "{input}");
    }
}

#[test]
fn a_sensitive_searchable_field_is_looked_up_by_its_blind_index_text() {
    let typed = check_as("phone = '+41 44 668 18 00'", SENSITIVE).unwrap();
    let expected = TypedFilter::Compare {
        target: Target::SensitiveLookup { name: FieldName::parse("phone").unwrap() },
        op: CompareOp::Eq,
        value: text("+41446681800"),
    };
    assert_eq!(typed, expected);
    let TypedFilter::In { target, values } =
        check_as("phone in ('044 668 18 00', '+1 555 0100')", SENSITIVE).unwrap()
    else {
        panic!()
    };
    assert!(matches!(target, Target::SensitiveLookup { .. }));
    assert_eq!(values, [text("0446681800"), text("+15550100")]);
}

#[test]
fn a_sensitive_field_is_refused_for_anything_but_equality_by_a_reader_of_sensitive_fields() {
    let refused = |input: &str, access| {
        assert_eq!(
            check_as(input, access),
            Err(FilterError::SensitiveField { field: input[..input.find(' ').unwrap()].into() }),
            "{input}"
        );
    };
    refused("phone = '0446681800'", PLAIN);
    refused("phone in ('0446681800')", PLAIN);
    refused("phone != '0446681800'", SENSITIVE);
    refused("phone ~ '044'", SENSITIVE);
    refused("phone = null", SENSITIVE);
    refused("ssn = '756.1234.5678.97'", SENSITIVE);
    let message = check("phone = '1'").unwrap_err().to_string();
    assert!(message.contains("`phone` is sensitive") && message.contains("records:read_sensitive"));
}

#[test]
fn a_sensitive_lookup_value_must_still_be_a_valid_value() {
    let error = check_as("phone = 'SECRET'", SENSITIVE).unwrap_err();
    assert!(matches!(error, FilterError::Value { .. }));
    assert!(!error.to_string().contains("SECRET"));
    assert!(matches!(check_as("phone = 12345678", SENSITIVE), Err(FilterError::Type { .. })));
}

#[test]
fn columns_take_ids_dates_and_department_names() {
    assert!(matches!(check("id = 1"), Err(FilterError::Type { .. })));
    assert!(matches!(check("created_at = true"), Err(FilterError::Type { .. })));
    assert_eq!(value_of("department = 'north-east'"), text("north-east"));
    assert!(check("owner_id in ('0190a3c2-7d1e-7000-8000-00000000000f')").is_ok());
}

#[test]
fn a_hand_built_filter_deeper_than_the_parser_allows_is_refused() {
    let mut filter = Filter::Compare {
        field: "count".into(),
        op: CompareOp::Eq,
        value: Literal::Number("1".into()),
    };
    for _ in 0..100 {
        filter = Filter::Not(Box::new(filter));
    }
    assert!(matches!(
        check_filter(&filter, &test_schema(), PLAIN),
        Err(FilterError::TooDeep { .. })
    ));
}

#[test]
fn the_deepest_filter_the_parser_accepts_is_also_accepted_by_the_check() {
    let mut text = "count = 1".to_owned();
    for _ in 0..16 {
        text = format!("(paid = true || count = 2 && {text})");
    }
    // 16 levels and at most 32 comparisons: trim to what fits.
    let parsed = parse_filter(&text);
    if let Ok(parsed) = parsed {
        assert!(check_filter(&parsed, &test_schema(), PLAIN).is_ok());
    }
    let mut text = "count = 1".to_owned();
    for _ in 0..8 {
        text = format!("(paid = true || (count = 2 && {text}))");
    }
    let parsed = parse_filter(&text).unwrap();
    assert!(check_filter(&parsed, &test_schema(), PLAIN).is_ok());
}
