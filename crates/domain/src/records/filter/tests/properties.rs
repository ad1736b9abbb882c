//! Properties of the parser: it never panics, and printing then parsing is the identity.

use proptest::prelude::*;

use super::*;

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        "[^\u{0}]{0,12}".prop_map(Literal::Text),
        "-?[0-9]{1,6}(\\.[0-9]{1,4})?".prop_map(Literal::Number),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::Null),
    ]
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z][a-z0-9_]{0,8}", Just("in".to_owned()), Just("null".to_owned())]
}

fn op() -> impl Strategy<Value = CompareOp> {
    use CompareOp::*;
    prop::sample::select(vec![Eq, Ne, Lt, Le, Gt, Ge, Contains])
}

/// Filters as the parser builds them: `and`/`or` with two or more items.
fn filter() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        (field(), op(), literal()).prop_map(|(field, op, value)| Filter::Compare {
            field,
            op,
            value
        }),
        (field(), prop::collection::vec(literal(), 1..5))
            .prop_map(|(field, values)| Filter::In { field, values }),
    ];
    leaf.prop_recursive(5, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Filter::Or),
            inner.prop_map(|inner| Filter::Not(Box::new(inner))),
        ]
    })
}

fn comparisons(filter: &Filter) -> usize {
    match filter {
        Filter::And(items) | Filter::Or(items) => items.iter().map(comparisons).sum(),
        Filter::Not(inner) => comparisons(inner),
        Filter::Compare { .. } | Filter::In { .. } => 1,
    }
}

/// Text made of the language's own pieces, so that some of it parses.
fn filterish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a".to_owned()),
        Just(" = ".to_owned()),
        Just(" in (".to_owned()),
        Just(")".to_owned()),
        Just("(".to_owned()),
        Just("!".to_owned()),
        Just(" && ".to_owned()),
        Just(" || ".to_owned()),
        Just(",".to_owned()),
        Just("'x'".to_owned()),
        Just("\"\\u{41}\"".to_owned()),
        Just("-1.5".to_owned()),
        Just("null".to_owned()),
        Just("~".to_owned()),
        Just("<=".to_owned()),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn parsing_any_text_never_panics(input in any::<String>()) {
        let _ = parse_filter(&input);
    }

    #[test]
    fn parsing_text_with_nul_and_unicode_never_panics(input in "[a-z0-9 ='\"\\\\(){}!&|<>~,.\\-\u{0}é😀\u{300}]{0,200}") {
        let _ = parse_filter(&input);
    }

    #[test]
    fn parsing_ten_thousand_characters_never_panics(input in prop::collection::vec(prop::sample::select(vec!['(', '!', ')', 'a', '=', '1', ' ', '\'', '"', '\\']), 10_000)) {
        let text: String = input.into_iter().collect();
        let _ = parse_filter(&text);
        let _ = parse_filter(&text[..4096]);
    }

    #[test]
    fn a_printed_filter_parses_back_to_itself(filter in filter()) {
        prop_assume!(comparisons(&filter) <= MAX_COMPARISONS);
        let text = filter.to_string();
        prop_assume!(text.len() <= MAX_INPUT_BYTES);
        prop_assert_eq!(parse_filter(&text), Ok(filter));
    }

    #[test]
    fn whatever_parses_prints_to_text_that_parses_the_same(input in filterish()) {
        if let Ok(parsed) = parse_filter(&input) {
            let text = parsed.to_string();
            prop_assert_eq!(parse_filter(&text), Ok(parsed));
        }
    }
}

#[test]
fn ten_thousand_nested_parentheses_never_panic() {
    let deep = format!("{}a = 1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(parse_filter(&deep), Err(FilterError::TooLong));
    let deep = format!("{}a = 1{}", "(".repeat(2040), ")".repeat(2040));
    assert!(matches!(parse_filter(&deep), Err(FilterError::TooDeep { position: 16 })));
}
