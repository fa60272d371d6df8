//! `junit.xml`: one `testsuite` per implementation, one `testcase` per case (`classname` the
//! area, `name` the case), with `failure` (the detail as message, the diff as text) for bad
//! results, `error` for a broken implementation, and `skipped` for cases without a verdict and
//! for known failures (listed in `corpus/expectations/<impl>.toml`, so they do not fail a CI job).

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use super::Report;

/// The JUnit XML of a report.
pub fn junit(report: &Report) -> String {
    let mut out = Junit::new("aslcheck");
    for implementation in report.implementations() {
        let mut suite = TestSuite::new(implementation.as_str());
        for r in report
            .records
            .iter()
            .filter(|r| r.implementation == implementation)
        {
            let status = match r.ok {
                Some(true) => TestCaseStatus::success(),
                // A known failure does not fail the CI job: it is listed as skipped, with why.
                Some(false) if r.verdict == "expected-failure" => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!("known failure: {}", r.detail));
                    s
                }
                None => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!("{}: {}", r.verdict, r.detail));
                    s
                }
                Some(false) => {
                    let kind = if r.verdict == "errored" {
                        NonSuccessKind::Error
                    } else {
                        NonSuccessKind::Failure
                    };
                    let mut s = TestCaseStatus::non_success(kind);
                    s.set_type(r.verdict.as_str());
                    s.set_message(r.detail.as_str());
                    let mut text = format!("{} (against {})\n", r.detail, r.against);
                    if let Some(d) = &r.diff {
                        text.push_str(d);
                    }
                    s.set_description(text);
                    s
                }
            };
            let mut case = TestCase::new(r.case.as_str(), status);
            case.set_classname(r.area.as_str());
            suite.add_test_case(case);
        }
        out.add_test_suite(suite);
    }
    out.to_string().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::*;

    #[test]
    fn one_suite_per_implementation_and_failures_with_their_diff() {
        let report = Report {
            command: String::new(),
            records: vec![
                record("paths/a", "InputPath", "x", "pass"),
                record("paths/b<&>", "InputPath", "x", "fail"),
                record("paths/a", "InputPath", "y", "skipped"),
            ],
            clusters: vec![],
        };
        let xml = junit(&report);
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
        assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
        assert!(xml.contains(r#"name="paths/b&lt;&amp;&gt;""#), "{xml}");
        assert!(xml.contains("<failure"), "{xml}");
        assert!(xml.contains("+b"), "{xml}");
        assert!(xml.contains("<skipped"), "{xml}");
        assert!(
            xml.contains(r#"tests="3""#) && xml.contains(r#"failures="1""#),
            "{xml}"
        );
    }
}
