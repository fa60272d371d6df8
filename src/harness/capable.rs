//! Generated cases both sides can run: a generator config fitted to the backends'
//! [`Capabilities`] (`diff --generate`, `conformance --generate`), so the fuzzing budget is not
//! spent on cases one side can only skip.

use aslcheck_generators::Profile;

use crate::backend::Capabilities;

/// A capability test and the `Config::fit` flags (fixtures, resources, JSONata, variables) to
/// use when some backend fails it.
type Step = (fn(&Capabilities) -> bool, [bool; 4]);
/// The same for `Config::fit_services` (callbacks, ECS).
type Step2 = (fn(&Capabilities) -> bool, [bool; 2]);

/// Fits `profile` to what every one of `backends` can run (named, for the notes); returns one
/// note per feature left out, naming a backend that lacks it.
pub fn fit(profile: &mut Profile, backends: &[(&str, Capabilities)]) -> Vec<String> {
    let lacking = |has: fn(&Capabilities) -> bool| {
        backends
            .iter()
            .find(|(_, c)| !has(c))
            .map(|(n, _)| n.to_string())
    };
    // One capability at a time, in the order `Config::fit` applies them, so each note names
    // the backend that lacks what it is about.
    let steps: [Step; 4] = [
        (|c| c.runs_language("JSONata"), [true, true, false, true]),
        (|c| c.variables, [true, true, true, false]),
        (|c| c.resources, [true, false, true, true]),
        (|c| c.fixtures, [false, true, true, true]),
    ];
    let mut notes = Vec::new();
    for (has, [fixtures, resources, jsonata, variables]) in steps {
        let Some(who) = lacking(has) else { continue };
        for what in profile.config.fit(fixtures, resources, jsonata, variables) {
            notes.push(format!(
                "generated cases leave out {what}: {who} cannot run them"
            ));
        }
    }
    let services: [Step2; 2] = [(|c| c.callbacks, [false, true]), (|c| c.ecs, [true, false])];
    for (has, [callbacks, ecs]) in services {
        let Some(who) = lacking(has) else { continue };
        for what in profile.config.fit_services(callbacks, ecs) {
            notes.push(format!(
                "generated cases leave out {what}: {who} cannot run them"
            ));
        }
    }
    notes
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
            callbacks: true,
            ecs: true,
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
