//! Satisfaction surveys (满意度调查): a questionnaire of typed questions, how answers are checked
//! and stored, and the net promoter score. Results are counted in SQL
//! (`careline_persistence::surveys`) from the stored form this module produces.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// Most questions on one questionnaire.
pub const MAX_QUESTIONS: usize = 30;
/// Most choices of a single-choice question.
pub const MAX_CHOICES: usize = 20;
/// Longest free-text answer, in characters.
pub const MAX_TEXT_ANSWER: usize = 2000;

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuestionKind {
    /// A rating from 1 (very dissatisfied) to 5 (very satisfied).
    #[serde(rename = "RATING_1_5")]
    Rating1To5,
    /// "How likely are you to recommend us", 0 to 10.
    #[serde(rename = "NPS_0_10")]
    Nps0To10,
    /// Yes or no.
    YesNo,
    /// One of the question's choices.
    SingleChoice,
    /// Free text.
    Text,
}

/// A survey's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyStatus {
    /// Being written; nobody invited yet.
    Draft,
    /// Invitations are out and answers are taken.
    Running,
    /// No more answers.
    Closed,
}

impl SurveyStatus {
    /// The stored spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            SurveyStatus::Draft => "DRAFT",
            SurveyStatus::Running => "RUNNING",
            SurveyStatus::Closed => "CLOSED",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "DRAFT" => Some(SurveyStatus::Draft),
            "RUNNING" => Some(SurveyStatus::Running),
            "CLOSED" => Some(SurveyStatus::Closed),
            _ => None,
        }
    }
}

/// One question of a questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable key, `[a-z0-9_]`, e.g. `overall`.
    pub key: String,
    /// What the customer reads.
    pub text: String,
    /// What kind of answer it takes.
    pub kind: QuestionKind,
    /// The choices of a single-choice question (empty otherwise).
    #[serde(default)]
    pub choices: Vec<String>,
}

/// One answer as given: the question's key and the value as text (`"4"`, `"yes"`, a choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The question's key.
    pub key: String,
    /// The value as typed.
    pub value: String,
}

/// An answer ready to store: the normalised text (what counts per choice group by) and, for
/// ratings, NPS and yes/no (1 or 0), the number averages are taken of.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    /// The question's key.
    pub key: String,
    /// Normalised text: the number, `YES`/`NO`, the choice as written on the questionnaire,
    /// or the trimmed free text.
    pub text: String,
    /// The value averaged over, when the question has one.
    pub number: Option<f64>,
}

/// Checks a questionnaire: a name, 1 to [`MAX_QUESTIONS`] questions with distinct well-formed
/// keys and text; single-choice questions have 2 to [`MAX_CHOICES`] distinct choices, others
/// none. Returns the trimmed name and questions.
pub fn validate_questionnaire(
    name: &str,
    questions: &[Question],
) -> Result<(String, Vec<Question>), DomainError> {
    let name = crate::text::required(name, "name", 120)?;
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        return Err(DomainError::invalid(
            "questions",
            format!("give between 1 and {MAX_QUESTIONS} questions"),
        ));
    }
    let mut out: Vec<Question> = Vec::with_capacity(questions.len());
    for (i, q) in questions.iter().enumerate() {
        let field = |f: &str| format!("questions.{i}.{f}");
        let key = q.key.trim();
        let well_formed = !key.is_empty()
            && key.len() <= 40
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err(DomainError::invalid(
                field("key"),
                "use 1 to 40 lower-case letters, digits or underscores",
            ));
        }
        if out.iter().any(|o| o.key == key) {
            return Err(DomainError::invalid(
                field("key"),
                format!("the key {key} is used twice"),
            ));
        }
        let text = crate::text::required(&q.text, &field("text"), 500)?;
        let mut choices: Vec<String> = Vec::new();
        if q.kind == QuestionKind::SingleChoice {
            if q.choices.len() < 2 || q.choices.len() > MAX_CHOICES {
                return Err(DomainError::invalid(
                    field("choices"),
                    format!("a single-choice question needs 2 to {MAX_CHOICES} choices"),
                ));
            }
            for (j, c) in q.choices.iter().enumerate() {
                let c = crate::text::required(c, &format!("questions.{i}.choices.{j}"), 100)?;
                if choices.contains(&c) {
                    return Err(DomainError::invalid(
                        field("choices"),
                        format!("the choice {c} is given twice"),
                    ));
                }
                choices.push(c);
            }
        } else if !q.choices.is_empty() {
            return Err(DomainError::invalid(
                field("choices"),
                "only single-choice questions have choices",
            ));
        }
        out.push(Question {
            key: key.to_owned(),
            text,
            kind: q.kind,
            choices,
        });
    }
    Ok((name, out))
}

/// Checks a response against its questionnaire: at least one answer, each to a question of
/// the survey, none twice, each valid for its kind (a rating 1–5, an NPS score 0–10, yes or no,
/// one of the choices, or 1 to [`MAX_TEXT_ANSWER`] characters of text). Questions may be left
/// unanswered.
pub fn validate_answers(
    questions: &[Question],
    answers: &[Answer],
) -> Result<Vec<StoredAnswer>, DomainError> {
    if answers.is_empty() {
        return Err(DomainError::invalid(
            "answers",
            "answer at least one question",
        ));
    }
    let mut out: Vec<StoredAnswer> = Vec::with_capacity(answers.len());
    for (i, answer) in answers.iter().enumerate() {
        let field = format!("answers.{i}.value");
        let Some(question) = questions.iter().find(|q| q.key == answer.key.trim()) else {
            return Err(DomainError::invalid(
                format!("answers.{i}.key"),
                "this survey has no question with that key",
            ));
        };
        if out.iter().any(|o| o.key == question.key) {
            return Err(DomainError::invalid(
                format!("answers.{i}.key"),
                format!("the question {} is answered twice", question.key),
            ));
        }
        let value = answer.value.trim();
        let whole = |low: i64, high: i64| -> Result<StoredAnswer, DomainError> {
            match value.parse::<i64>() {
                Ok(n) if (low..=high).contains(&n) => Ok(StoredAnswer {
                    key: question.key.clone(),
                    text: n.to_string(),
                    number: Some(n as f64),
                }),
                _ => Err(DomainError::invalid(
                    field.clone(),
                    format!("give a whole number from {low} to {high}"),
                )),
            }
        };
        let stored = match question.kind {
            QuestionKind::Rating1To5 => whole(1, 5)?,
            QuestionKind::Nps0To10 => whole(0, 10)?,
            QuestionKind::YesNo => {
                let yes = match value.to_ascii_lowercase().as_str() {
                    "yes" | "true" | "是" => true,
                    "no" | "false" | "否" => false,
                    _ => return Err(DomainError::invalid(field, "answer yes or no")),
                };
                StoredAnswer {
                    key: question.key.clone(),
                    text: if yes { "YES" } else { "NO" }.to_owned(),
                    number: Some(if yes { 1.0 } else { 0.0 }),
                }
            }
            QuestionKind::SingleChoice => {
                let Some(choice) = question.choices.iter().find(|c| c.as_str() == value) else {
                    return Err(DomainError::invalid(
                        field,
                        format!("choose one of: {}", question.choices.join(", ")),
                    ));
                };
                StoredAnswer {
                    key: question.key.clone(),
                    text: choice.clone(),
                    number: None,
                }
            }
            QuestionKind::Text => StoredAnswer {
                key: question.key.clone(),
                text: crate::text::required(value, &field, MAX_TEXT_ANSWER)?,
                number: None,
            },
        };
        out.push(stored);
    }
    Ok(out)
}

/// Whether a question's answers are counted per value (every kind but free text).
pub const fn counted_per_value(kind: QuestionKind) -> bool {
    !matches!(kind, QuestionKind::Text)
}

/// The net promoter score of NPS answers: the share of promoters (9–10) minus the share of
/// detractors (0–6), in percent; `None` without answers. The SQL in
/// `careline_persistence::surveys` computes the same; this is its definition.
pub fn net_promoter_score(scores: &[u8]) -> Option<f64> {
    if scores.is_empty() {
        return None;
    }
    let promoters = scores.iter().filter(|s| **s >= 9).count() as f64;
    let detractors = scores.iter().filter(|s| **s <= 6).count() as f64;
    Some(100.0 * (promoters - detractors) / scores.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(key: &str, kind: QuestionKind, choices: &[&str]) -> Question {
        Question {
            key: key.to_owned(),
            text: format!("About {key}?"),
            kind,
            choices: choices.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn a(key: &str, value: &str) -> Answer {
        Answer {
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }

    fn questionnaire() -> Vec<Question> {
        vec![
            q("overall", QuestionKind::Rating1To5, &[]),
            q("recommend", QuestionKind::Nps0To10, &[]),
            q("solved", QuestionKind::YesNo, &[]),
            q("channel", QuestionKind::SingleChoice, &["电话", "App"]),
            q("comment", QuestionKind::Text, &[]),
        ]
    }

    #[test]
    fn a_questionnaire_needs_distinct_well_formed_keys_and_choices_where_due() {
        assert!(validate_questionnaire("Q1", &questionnaire()).is_ok());
        let twice = vec![
            q("a", QuestionKind::Text, &[]),
            q("a", QuestionKind::YesNo, &[]),
        ];
        assert_eq!(
            validate_questionnaire("Q", &twice).unwrap_err(),
            DomainError::invalid("questions.1.key", "the key a is used twice")
        );
        let bad_key = vec![q("Overall score", QuestionKind::Text, &[])];
        assert!(validate_questionnaire("Q", &bad_key).is_err());
        let one_choice = vec![q("c", QuestionKind::SingleChoice, &["only"])];
        assert!(validate_questionnaire("Q", &one_choice).is_err());
        let stray = vec![q("r", QuestionKind::Rating1To5, &["x", "y"])];
        assert!(validate_questionnaire("Q", &stray).is_err());
        assert!(validate_questionnaire("Q", &[]).is_err());
        assert!(validate_questionnaire(" ", &questionnaire()).is_err());
    }

    #[test]
    fn answers_are_checked_per_kind_and_normalised() {
        let qs = questionnaire();
        let stored = validate_answers(
            &qs,
            &[
                a("overall", " 4 "),
                a("recommend", "10"),
                a("solved", "Yes"),
                a("channel", "电话"),
                a("comment", "  很好  "),
            ],
        )
        .expect("valid");
        let texts: Vec<&str> = stored.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["4", "10", "YES", "电话", "很好"]);
        let numbers: Vec<Option<f64>> = stored.iter().map(|s| s.number).collect();
        assert_eq!(numbers, [Some(4.0), Some(10.0), Some(1.0), None, None]);

        for (key, value) in [
            ("overall", "0"),
            ("overall", "6"),
            ("overall", "4.5"),
            ("recommend", "11"),
            ("recommend", "-1"),
            ("solved", "maybe"),
            ("channel", "email"),
            ("comment", "  "),
        ] {
            assert!(
                validate_answers(&qs, &[a(key, value)]).is_err(),
                "{key} = {value:?} should be refused"
            );
        }
        assert!(validate_answers(&qs, &[a("nope", "1")]).is_err());
        assert!(validate_answers(&qs, &[a("overall", "1"), a("overall", "2")]).is_err());
        assert!(validate_answers(&qs, &[]).is_err());
        let long = "字".repeat(MAX_TEXT_ANSWER + 1);
        assert!(validate_answers(&qs, &[a("comment", &long)]).is_err());
    }

    #[test]
    fn net_promoter_score_is_promoters_minus_detractors_in_percent() {
        assert_eq!(net_promoter_score(&[]), None);
        // 2 promoters, 1 passive, 1 detractor: (2 - 1) / 4 = 25 %.
        assert_eq!(net_promoter_score(&[10, 9, 7, 3]), Some(25.0));
        assert_eq!(net_promoter_score(&[0, 6]), Some(-100.0));
    }
}
