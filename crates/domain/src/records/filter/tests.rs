use super::*;

mod properties;

fn compare(field: &str, op: CompareOp, value: Literal) -> Filter {
    Filter::Compare { field: field.into(), op, value }
}

fn text(value: &str) -> Literal {
    Literal::Text(value.into())
}

fn number(digits: &str) -> Literal {
    Literal::Number(digits.into())
}

#[test]
fn a_comparison_parses_to_its_field_operator_and_literal() {
    let cases = [
        ("a = 1", CompareOp::Eq),
        ("a != 1", CompareOp::Ne),
        ("a < 1", CompareOp::Lt),
        ("a <= 1", CompareOp::Le),
        ("a > 1", CompareOp::Gt),
        ("a >= 1", CompareOp::Ge),
        ("a ~ 1", CompareOp::Contains),
    ];
    for (input, op) in cases {
        assert_eq!(parse_filter(input), Ok(compare("a", op, number("1"))), "{input}");
    }
}

#[test]
fn literals_are_strings_numbers_booleans_and_null() {
    assert_eq!(parse_filter("a = \"x\"").unwrap(), compare("a", CompareOp::Eq, text("x")));
    assert_eq!(parse_filter("a = 'x'").unwrap(), compare("a", CompareOp::Eq, text("x")));
    assert_eq!(parse_filter("a = -12.50").unwrap(), compare("a", CompareOp::Eq, number("-12.50")));
    assert_eq!(parse_filter("a = true").unwrap(), compare("a", CompareOp::Eq, Literal::Bool(true)));
    assert_eq!(parse_filter("a=false").unwrap(), compare("a", CompareOp::Eq, Literal::Bool(false)));
    assert_eq!(parse_filter("a != null").unwrap(), compare("a", CompareOp::Ne, Literal::Null));
}

#[test]
fn string_escapes_decode() {
    let parsed = parse_filter(r#"a = "q\" b\\ n\n t\t r\r s\' e\u{e9} f\u{1F600}""#).unwrap();
    assert_eq!(parsed, compare("a", CompareOp::Eq, text("q\" b\\ n\n t\t r\r s' eé f😀")));
    assert_eq!(parse_filter(r"a = 'it\'s'").unwrap(), compare("a", CompareOp::Eq, text("it's")));
}

#[test]
fn and_binds_tighter_than_or_and_not_applies_to_the_next_unary() {
    let parsed = parse_filter("a = 1 || b = 2 && !c = 3").unwrap();
    let expected = Filter::Or(vec![
        compare("a", CompareOp::Eq, number("1")),
        Filter::And(vec![
            compare("b", CompareOp::Eq, number("2")),
            Filter::Not(Box::new(compare("c", CompareOp::Eq, number("3")))),
        ]),
    ]);
    assert_eq!(parsed, expected);
}

#[test]
fn parentheses_group_and_keep_their_own_node() {
    let parsed = parse_filter("(a = 1 || b = 2) && c = 3").unwrap();
    assert!(matches!(&parsed, Filter::And(items) if matches!(items[0], Filter::Or(_))));
    assert_eq!(parse_filter("((a = 1))").unwrap(), compare("a", CompareOp::Eq, number("1")));
}

#[test]
fn in_takes_a_list_of_literals() {
    let parsed = parse_filter("status in ('open', \"won\", 3, null)").unwrap();
    let values = vec![text("open"), text("won"), number("3"), Literal::Null];
    assert_eq!(parsed, Filter::In { field: "status".into(), values });
    assert!(parse_filter("status in ()").is_err());
    assert!(parse_filter("status in ('a',)").is_err());
    assert!(parse_filter("status in 'a'").is_err());
}

#[test]
fn keywords_are_field_names_where_a_field_is_expected() {
    assert_eq!(
        parse_filter("in = true").unwrap(),
        compare("in", CompareOp::Eq, Literal::Bool(true))
    );
    assert!(matches!(parse_filter("null in (null)").unwrap(), Filter::In { .. }));
    assert_eq!(
        parse_filter("a = b"),
        Err(FilterError::Expected {
            position: 4,
            expected: "a string, a number, true, false or null"
        })
    );
}

#[test]
fn white_space_between_tokens_is_ignored() {
    assert_eq!(parse_filter(" \t\na\n=\r\n1 ").unwrap(), parse_filter("a=1").unwrap());
}

#[test]
fn syntax_errors_say_where_and_what() {
    assert_eq!(parse_filter(""), Err(FilterError::Empty));
    assert_eq!(parse_filter("   "), Err(FilterError::Empty));
    assert_eq!(parse_filter("A = 1"), Err(FilterError::UnexpectedCharacter { position: 0 }));
    assert_eq!(
        parse_filter("a = 1 & b = 2"),
        Err(FilterError::UnexpectedCharacter { position: 6 })
    );
    assert_eq!(
        parse_filter("a = 1 b = 2"),
        Err(FilterError::Expected { position: 6, expected: "&&, || or the end" })
    );
    assert_eq!(
        parse_filter("a ="),
        Err(FilterError::UnexpectedEnd { expected: "a string, a number, true, false or null" })
    );
    assert_eq!(parse_filter("(a = 1"), Err(FilterError::UnexpectedEnd { expected: ")" }));
    assert_eq!(parse_filter("a = 'x"), Err(FilterError::UnterminatedString { position: 4 }));
    assert_eq!(parse_filter(r"a = 'x\q'"), Err(FilterError::InvalidEscape { position: 6 }));
    assert_eq!(parse_filter(r"a = 'x\u{110000}'"), Err(FilterError::InvalidEscape { position: 6 }));
    assert_eq!(parse_filter(r"a = 'x\u{d800}'"), Err(FilterError::InvalidEscape { position: 6 }));
    assert_eq!(parse_filter(r"a = 'x\é'"), Err(FilterError::InvalidEscape { position: 6 }));
    assert_eq!(parse_filter("a = 1."), Err(FilterError::InvalidNumber { position: 4 }));
    assert_eq!(parse_filter("a = -x"), Err(FilterError::InvalidNumber { position: 4 }));
    assert_eq!(parse_filter("a = 1e5"), Err(FilterError::InvalidNumber { position: 4 }));
    assert_eq!(parse_filter("a = 1.2.3"), Err(FilterError::InvalidNumber { position: 4 }));
}

#[test]
fn a_string_cannot_hold_nul_raw_or_escaped() {
    assert_eq!(parse_filter("a = 'x\u{0}'"), Err(FilterError::NulInString { position: 6 }));
    assert_eq!(parse_filter(r"a = 'x\u{0}'"), Err(FilterError::NulInString { position: 6 }));
    assert_eq!(parse_filter("a = 1 \u{0}"), Err(FilterError::UnexpectedCharacter { position: 6 }));
}

#[test]
fn the_input_is_at_most_4096_bytes() {
    let long = format!("a = '{}'", "x".repeat(4091));
    assert_eq!(parse_filter(&long), Err(FilterError::TooLong));
    let fits = format!("a = 1{}", " ".repeat(4091));
    assert!(parse_filter(&fits).is_ok());
}

#[test]
fn nesting_stops_at_sixteen_levels() {
    let nested = |depth: usize| format!("{}a = 1{}", "(".repeat(depth), ")".repeat(depth));
    assert!(parse_filter(&nested(16)).is_ok());
    assert_eq!(parse_filter(&nested(17)), Err(FilterError::TooDeep { position: 16 }));
    assert!(parse_filter(&format!("{}a = 1", "!".repeat(16))).is_ok());
    assert_eq!(
        parse_filter(&format!("{}a = 1", "!".repeat(17))),
        Err(FilterError::TooDeep { position: 16 })
    );
    assert!(matches!(
        parse_filter(&format!("{}a = 1", "!(".repeat(9))),
        Err(FilterError::TooDeep { .. })
    ));
}

#[test]
fn ten_thousand_open_parentheses_are_refused_without_overflowing_the_stack() {
    assert!(matches!(parse_filter(&"(".repeat(4096)), Err(FilterError::TooDeep { .. })));
    assert_eq!(parse_filter(&"(".repeat(10_000)), Err(FilterError::TooLong));
    assert!(matches!(parse_filter(&"!".repeat(4096)), Err(FilterError::TooDeep { .. })));
}

#[test]
fn a_filter_has_at_most_32_comparisons() {
    let many = |count: usize| vec!["a = 1"; count].join(" && ");
    assert!(parse_filter(&many(32)).is_ok());
    assert!(matches!(parse_filter(&many(33)), Err(FilterError::TooManyComparisons { .. })));
}

#[test]
fn an_in_list_has_at_most_100_values() {
    let list = |count: usize| format!("a in ({})", vec!["1"; count].join(","));
    assert!(parse_filter(&list(100)).is_ok());
    assert!(matches!(parse_filter(&list(101)), Err(FilterError::ListTooLong { .. })));
}

#[test]
fn a_string_has_at_most_1000_characters() {
    assert!(parse_filter(&format!("a = '{}'", "é".repeat(1000))).is_ok());
    assert_eq!(
        parse_filter(&format!("a = '{}'", "é".repeat(1001))),
        Err(FilterError::StringTooLong { position: 4 })
    );
}

#[test]
fn error_messages_never_repeat_a_literal() {
    let inputs =
        ["a = 'SECRET", "a = 'SECRET' b", "a = 'SECRET\\q'", "a = 'SECRET' && B", "a = SECRET"];
    for input in inputs {
        let message = parse_filter(input).unwrap_err().to_string();
        assert!(!message.contains("SECRET"), "{input}: {message}");
    }
}

#[test]
fn display_prints_text_that_parses_back_to_the_same_filter() {
    let inputs = [
        "a = 1 || b = 2 && !c = 3",
        "(a = 1 || b = 2) && (c = 3 && d = 4)",
        "!(a = 1 && b = 2) || ((c ~ 'x' || d = null))",
        "a in ('x\"y', 1.50, true)",
        "!!a = \"\\n\\t\\u{7}\"",
    ];
    for input in inputs {
        let parsed = parse_filter(input).unwrap();
        assert_eq!(parse_filter(&parsed.to_string()), Ok(parsed.clone()), "{input} → {parsed}");
    }
    assert_eq!(parse_filter("a=1&&(b=2||c=3)").unwrap().to_string(), "a = 1 && (b = 2 || c = 3)");
}
