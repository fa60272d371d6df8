//! Generated cases both sides can run: a generator config fitted to the backends'
//! [`Capabilities`] (`diff --generate`, `conformance --generate`), so the fuzzing budget is not
//! spent on cases one side can only skip.

use aslcheck_generators::Profile;

use crate::backend::Capabilities;

/// Fits `profile` to what every one of `backends` can run (named, for the notes); returns one
/// note per feature left out, naming a backend that lacks it.
pub fn fit(profile: &mut Profile, backends: &[(&str, Capabilities)]) -> Vec<String> {
    let lacking = |has: &dyn Fn(&Capabilities) -> bool| {
        backends
            .iter()
            .find(|(_, c)| !has(c))
            .map(|(n, _)| n.to_string())
    };
    let no_fixtures = lacking(&|c| c.fixtures);
    let no_resources = lacking(&|c| c.resources);
    let no_jsonata = lacking(&|c| c.runs_language("JSONata"));
    let no_variables = lacking(&|c| c.variables);
    let culprit = |what: &str| -> String {
        let who = match what {
            w if w.starts_with("JSONata") => &no_jsonata,
            w if w.starts_with("service") => &no_resources,
            w if w.starts_with("variables") || w.starts_with("loops") => &no_variables,
            _ => &no_fixtures,
        };
        who.clone().unwrap_or_default()
    };
    profile
        .config
        .fit_all(
            no_fixtures.is_none(),
            no_resources.is_none(),
            no_jsonata.is_none(),
            no_variables.is_none(),
        )
        .into_iter()
        .map(|what| {
            format!(
                "generated cases leave out {what}: {} cannot run them",
                culprit(what)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Mode;

    fn caps(fixtures: bool, jsonata: bool) -> Capabilities {
        let mut languages = vec!["JSONPath".to_string()];
        if jsonata {
            languages.push("JSONata".into());
        }
        Capabilities {
            modes: vec![Mode::Execution],
            history: false,
            query_languages: languages,
            fixtures,
            resources: true,
            variables: true,
        }
    }

    #[test]
    fn notes_name_the_backend_that_lacks_the_feature() {
        let mut p = Profile::builtin("jsonata").unwrap();
        let notes = fit(
            &mut p,
            &[
                ("reference", caps(true, true)),
                ("moto", caps(false, false)),
            ],
        );
        assert_eq!(
            notes,
            [
                "generated cases leave out JSONata machines (JSONPath instead): moto cannot run them",
                "generated cases leave out Task states (they would call fixture Lambdas): moto cannot run them",
            ]
        );
        let mut p = Profile::builtin("all").unwrap();
        assert!(fit(&mut p, &[("a", caps(true, true)), ("b", caps(true, true))]).is_empty());
    }
}
