//! Rendering with values, and the descriptions of variables.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};

use hub_templates::{DescriptionError, MAX_DESCRIPTION_CHARS, RenderError, Template};

fn parse(body: &str) -> Template {
    Template::parse(body).unwrap_or_else(|e| panic!("{body:?}: {e}"))
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|&name| name.to_owned()).collect()
}

#[test]
fn rendering_fills_every_placeholder_of_a_variable() {
    let template = parse("{{who}} meets {{ other }}; {{who}} says hi to {{other}}.");
    let values = BTreeMap::from([("who", "Ada"), ("other", "Grace")]);
    assert_eq!(
        template.render(&values).unwrap(),
        "Ada meets Grace; Ada says hi to Grace."
    );
    // Any pairs will do: a HashMap of Strings, a list, in any order.
    let values: HashMap<String, String> =
        HashMap::from([("other".into(), "B".into()), ("who".into(), "A".into())]);
    assert_eq!(
        template.render(&values).unwrap(),
        "A meets B; A says hi to B."
    );
    assert_eq!(
        template.render([("other", "2"), ("who", "1")]).unwrap(),
        "1 meets 2; 1 says hi to 2."
    );
}

#[test]
fn values_are_inserted_verbatim() {
    let template = parse("[{{a}}] [{{b}}]");
    let rendered = template
        .render([("a", "{{b}} \\{{ {{{c}}}"), ("b", "")])
        .unwrap();
    assert_eq!(rendered, "[{{b}} \\{{ {{{c}}}] []");
}

#[test]
fn escapes_render_as_their_text() {
    let template = parse("\\{{a}} \\\\{{a}} {{{a}}} \\\\\\{{ C:\\dir }}");
    assert_eq!(template.variables(), ["a"]);
    assert_eq!(
        template.render([("a", "X")]).unwrap(),
        "{{a}} \\X {X} \\{{ C:\\dir }}"
    );
}

#[test]
fn a_body_without_variables_renders_as_its_text() {
    let template = parse("no {placeholders} here }}");
    assert_eq!(
        template.render(Vec::<(&str, &str)>::new()).unwrap(),
        "no {placeholders} here }}"
    );
    assert_eq!(
        parse("").render(BTreeMap::<String, String>::new()).unwrap(),
        ""
    );
}

#[test]
fn every_missing_value_is_listed() {
    let template = parse("{{c}} {{a}} {{b}} {{a}}");
    let error = template.render([("a", "1")]).unwrap_err();
    assert_eq!(
        error,
        RenderError {
            missing: strings(&["c", "b"]),
            unknown: vec![],
            duplicated: vec![],
        }
    );
    assert_eq!(error.to_string(), "no value for `c`, `b`");
}

#[test]
fn values_for_names_not_in_the_template_are_refused() {
    let template = parse("{{a}}");
    let error = template
        .render([("zz", "1"), ("a", "2"), ("y", "3"), ("zz", "4")])
        .unwrap_err();
    assert_eq!(error.missing, Vec::<String>::new());
    assert_eq!(error.unknown, strings(&["zz", "y"]));
    assert_eq!(error.duplicated, strings(&["zz"]));
    assert_eq!(
        error.to_string(),
        "not variables of this template: `zz`, `y`; more than one value for `zz`"
    );
}

#[test]
fn every_kind_of_problem_is_reported_at_once() {
    let template = parse("{{a}} {{b}}");
    let error = template
        .render([("b", "1"), ("b", "2"), ("c", "3")])
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "no value for `a`; not variables of this template: `c`; more than one value for `b`"
    );
}

#[test]
fn descriptions_may_describe_some_variables() {
    let template = parse("{{topic}} for {{audience}}");
    assert_eq!(
        template.check_descriptions(Vec::<(&str, &str)>::new()),
        Ok(())
    );
    assert_eq!(
        template.check_descriptions([("audience", "Who reads it")]),
        Ok(())
    );
    let exactly = "é".repeat(MAX_DESCRIPTION_CHARS);
    assert_eq!(
        template.check_descriptions(&BTreeMap::from([
            ("topic", exactly.as_str()),
            ("audience", "")
        ])),
        Ok(())
    );
}

#[test]
fn descriptions_for_unknown_names_or_too_long_are_refused() {
    let template = parse("{{topic}} for {{audience}}");
    let over = "é".repeat(MAX_DESCRIPTION_CHARS + 1);
    let error = template
        .check_descriptions([
            ("topic", over.as_str()),
            ("tone", "formal"),
            ("audience", "a"),
            ("audience", over.as_str()),
        ])
        .unwrap_err();
    assert_eq!(
        error,
        DescriptionError {
            unknown: strings(&["tone"]),
            duplicated: strings(&["audience"]),
            too_long: strings(&["topic", "audience"]),
        }
    );
    assert_eq!(
        error.to_string(),
        "descriptions for names not in the template: `tone`; more than one description for \
         `audience`; descriptions longer than 500 characters for `topic`, `audience`"
    );
    assert_eq!(
        template
            .check_descriptions([("Topic", "case matters")])
            .unwrap_err()
            .unknown,
        strings(&["Topic"])
    );
}
