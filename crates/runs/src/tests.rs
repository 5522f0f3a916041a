use super::*;

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + second).unwrap()
}

fn questions(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("question {i}")).collect()
}

fn seen(state: &str, result: &str) -> Seen {
    Seen {
        state: state.into(),
        result: Some(result.into()),
        answer: Some(format!("{result} answer")),
    }
}

/// A pretend service: what was created, and how many create requests it received.
#[derive(Default, Clone)]
struct Service {
    sessions: usize,
    /// (id, content, created second)
    prompts: Vec<(String, String, i64)>,
    /// (prompt id, evaluation id)
    evaluations: Vec<(String, String)>,
    prompt_posts: usize,
    evaluation_posts: usize,
    /// Results handed out in order to settled evaluations (then success).
    results: Vec<&'static str>,
}

/// Where a simulated crash strikes within one action.
#[derive(Clone, Copy, Debug)]
enum Crash {
    /// After `begin`, before the save.
    BeforeSave,
    /// After the request reached the service, before its answer was applied.
    AfterSend,
    /// After `apply`, before the save.
    AfterApply,
}

/// Drives `run` against `service`, saving into `saved` as a driver must; crashes on the
/// `crash_at`-th action (0-based) as `crash` says. Returns whether it finished.
fn drive(
    saved: &mut Run,
    service: &mut Service,
    clock: &mut i64,
    crash_at: Option<(usize, Crash)>,
) -> bool {
    let mut run = saved.clone();
    let mut n = 0;
    loop {
        let action = run.next_action();
        if let Action::Done(_) = action {
            *saved = run;
            return true;
        }
        let crash = crash_at.filter(|(k, _)| *k == n).map(|(_, c)| c);
        n += 1;
        *clock += 1;
        run.begin(&action, at(*clock));
        if matches!(crash, Some(Crash::BeforeSave)) {
            return false;
        }
        *saved = run.clone();
        let outcome = match &action {
            Action::CreateSession { .. } => {
                service.sessions += 1;
                Outcome::SessionCreated {
                    id: format!("s{}", service.sessions),
                }
            }
            Action::PostPrompt { step, content } => {
                service.prompt_posts += 1;
                let id = format!("p{}", service.prompts.len());
                service.prompts.push((id.clone(), content.clone(), *clock));
                Outcome::PromptPosted {
                    step: *step,
                    prompt_id: id,
                }
            }
            Action::FindPrompt {
                step,
                content,
                not_before,
                claimed,
            } => Outcome::PromptFound {
                step: *step,
                prompt_id: service
                    .prompts
                    .iter()
                    .find(|(id, c, t)| {
                        c == content
                            && !claimed.contains(id)
                            && not_before.is_none_or(|nb| at(*t) >= nb)
                    })
                    .map(|(id, _, _)| id.clone()),
            },
            Action::CreateEvaluation { step, prompt_id } => {
                service.evaluation_posts += 1;
                let id = format!("e{}", service.evaluations.len());
                service.evaluations.push((prompt_id.clone(), id.clone()));
                Outcome::EvaluationCreated {
                    step: *step,
                    evaluation_id: id,
                }
            }
            Action::FindEvaluation {
                step,
                prompt_id,
                previous,
            } => Outcome::EvaluationFound {
                step: *step,
                evaluation_id: service
                    .evaluations
                    .iter()
                    .rev()
                    .find(|(p, _)| p == prompt_id)
                    .map(|(_, e)| e.clone())
                    .filter(|e| Some(e) != previous.as_ref()),
            },
            Action::Follow { step, .. } => {
                let result = if service.results.is_empty() {
                    "success"
                } else {
                    service.results.remove(0)
                };
                Outcome::Settled {
                    step: *step,
                    seen: seen("completed", result),
                    at: at(*clock),
                }
            }
            Action::WaitCapacity { step, until } => {
                *clock = until.as_second() - at(0).as_second();
                Outcome::CapacityWaited { step: *step }
            }
            Action::Done(_) => unreachable!(),
        };
        if matches!(crash, Some(Crash::AfterSend)) {
            return false;
        }
        run.apply(outcome).expect("outcomes fit");
        if matches!(crash, Some(Crash::AfterApply)) {
            return false;
        }
        *saved = run.clone();
    }
}

#[test]
fn a_run_posts_each_question_once_in_order_and_succeeds() {
    let mut run = Run::in_new_session("book", questions(3), CapacityRetry::NextHour).unwrap();
    let mut service = Service::default();
    let mut clock = 0;
    assert!(drive(&mut run, &mut service, &mut clock, None));
    assert_eq!(run.status(), Status::Succeeded);
    assert_eq!(service.prompt_posts, 3);
    assert_eq!(service.evaluation_posts, 3);
    let contents: Vec<_> = service.prompts.iter().map(|p| p.1.as_str()).collect();
    assert_eq!(contents, ["question 1", "question 2", "question 3"]);
    assert!(run.steps().iter().all(|s| s.evaluations == 1));
    assert_eq!(run.session().id.as_deref(), Some("s1"));
}

#[test]
fn a_crash_at_every_boundary_never_posts_a_prompt_twice() {
    // every action index of a clean run, each crash kind
    let clean_actions = 1 + 3 * 3;
    for k in 0..clean_actions {
        for crash in [Crash::BeforeSave, Crash::AfterSend, Crash::AfterApply] {
            let mut saved =
                Run::in_new_session("book", questions(3), CapacityRetry::NextHour).unwrap();
            let mut service = Service::default();
            let mut clock = 0;
            assert!(!drive(
                &mut saved,
                &mut service,
                &mut clock,
                Some((k, crash))
            ));
            // the restored run goes on from what was saved
            let restored = Run::restore(
                saved.session().clone(),
                saved.steps().to_vec(),
                saved.capacity(),
                None,
            )
            .expect("a saved run restores");
            let mut resumed = restored;
            assert!(drive(&mut resumed, &mut service, &mut clock, None));
            assert_eq!(resumed.status(), Status::Succeeded, "{k} {crash:?}");
            assert_eq!(service.prompt_posts, 3, "crash {crash:?} at action {k}");
            // a lost session POST can leave one empty session; a lost evaluation is found
            assert!(service.sessions <= 2, "{k} {crash:?}");
            assert_eq!(service.evaluation_posts, 3, "crash {crash:?} at action {k}");
            let contents: Vec<_> = service.prompts.iter().map(|p| p.1.as_str()).collect();
            assert_eq!(contents, ["question 1", "question 2", "question 3"]);
        }
    }
}

#[test]
fn the_same_question_twice_is_posted_twice_and_found_apart() {
    let qs = vec!["same".to_string(), "same".to_string()];
    for k in 0..7 {
        let mut saved = Run::in_new_session("b", qs.clone(), CapacityRetry::NextHour).unwrap();
        let mut service = Service::default();
        let mut clock = 0;
        drive(
            &mut saved,
            &mut service,
            &mut clock,
            Some((k, Crash::AfterSend)),
        );
        assert!(drive(&mut saved, &mut service, &mut clock, None));
        assert_eq!(service.prompt_posts, 2, "crash at {k}");
        let ids: Vec<_> = saved.steps().iter().map(|s| s.prompt_id.clone()).collect();
        assert_ne!(ids[0], ids[1], "crash at {k}");
    }
}

#[test]
fn capacity_costs_one_more_evaluation_and_no_prompt() {
    let mut run = Run::in_new_session("b", questions(2), CapacityRetry::NextHour).unwrap();
    let mut service = Service {
        results: vec!["capacityExceeded"],
        ..Service::default()
    };
    let mut clock = 0;
    assert!(drive(&mut run, &mut service, &mut clock, None));
    assert_eq!(run.status(), Status::Succeeded);
    assert_eq!(service.prompt_posts, 2);
    assert_eq!(service.evaluation_posts, 3);
    assert_eq!(run.steps()[0].evaluations, 2);
    assert_eq!(run.steps()[1].evaluations, 1);
}

#[test]
fn capacity_waits_until_the_next_hour_or_the_given_time() {
    let ended: Timestamp = "2026-12-06T18:47:12Z".parse().unwrap();
    assert_eq!(
        CapacityRetry::NextHour.retry_at(ended),
        "2026-12-06T19:00:00Z".parse::<Timestamp>().unwrap()
    );
    let on_the_hour: Timestamp = "2026-12-06T19:00:00Z".parse().unwrap();
    assert_eq!(
        CapacityRetry::NextHour.retry_at(on_the_hour),
        "2026-12-06T20:00:00Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(
        CapacityRetry::After(Duration::from_secs(90)).retry_at(ended),
        "2026-12-06T18:48:42Z".parse::<Timestamp>().unwrap()
    );
    for retry in [
        CapacityRetry::NextHour,
        CapacityRetry::After(Duration::from_secs(600)),
    ] {
        assert_eq!(CapacityRetry::from_text(&retry.to_text()), Some(retry));
    }
    assert_eq!(CapacityRetry::from_text("soon"), None);

    let mut run = Run::in_session("s", "n", questions(1), CapacityRetry::NextHour).unwrap();
    run.begin(&run.next_action(), ended);
    run.apply(Outcome::PromptPosted {
        step: 0,
        prompt_id: "p".into(),
    })
    .unwrap();
    run.begin(&run.next_action(), ended);
    run.apply(Outcome::EvaluationCreated {
        step: 0,
        evaluation_id: "e".into(),
    })
    .unwrap();
    run.apply(Outcome::Settled {
        step: 0,
        seen: seen("completed", "capacityExceeded"),
        at: ended,
    })
    .unwrap();
    let until: Timestamp = "2026-12-06T19:00:00Z".parse().unwrap();
    assert_eq!(run.next_action(), Action::WaitCapacity { step: 0, until });
    assert_eq!(run.status(), Status::WaitingForCapacity(until));
    run.apply(Outcome::CapacityWaited { step: 0 }).unwrap();
    assert_eq!(
        run.next_action(),
        Action::CreateEvaluation {
            step: 0,
            prompt_id: "p".into()
        }
    );
}

#[test]
fn a_failed_step_stops_the_run_and_a_retry_evaluates_it_again() {
    let mut run = Run::in_new_session("b", questions(3), CapacityRetry::NextHour).unwrap();
    let mut service = Service {
        results: vec!["success", "timedOut"],
        ..Service::default()
    };
    let mut clock = 0;
    assert!(drive(&mut run, &mut service, &mut clock, None));
    assert_eq!(run.status(), Status::Failed { step: 1 });
    assert_eq!(run.next_action(), Action::Done(Ending::Failed { step: 1 }));
    assert_eq!(service.prompt_posts, 2, "the third step was not run");
    assert_eq!(run.steps()[2].phase, Phase::Pending);
    assert_eq!(
        run.steps()[1].last.as_ref().unwrap().result.as_deref(),
        Some("timedOut")
    );

    assert!(run.retry_failed());
    assert!(drive(&mut run, &mut service, &mut clock, None));
    assert_eq!(run.status(), Status::Succeeded);
    assert_eq!(service.prompt_posts, 3);
    assert_eq!(run.steps()[1].evaluations, 2);
    assert!(!run.retry_failed());
}

#[test]
fn interrupted_runs_say_so_until_work_resumes() {
    let mut run = Run::in_new_session("b", questions(1), CapacityRetry::NextHour).unwrap();
    assert_eq!(run.status(), Status::Running);
    run.interrupt("Ctrl-C");
    assert_eq!(run.status(), Status::Interrupted);
    assert_eq!(run.interrupted(), Some("Ctrl-C"));
    let action = run.next_action();
    run.begin(&action, at(0));
    assert_eq!(run.status(), Status::Running);
}

#[test]
fn outcomes_that_do_not_fit_are_refused() {
    let mut run = Run::in_session("s", "n", questions(2), CapacityRetry::NextHour).unwrap();
    assert_eq!(
        run.apply(Outcome::PromptPosted {
            step: 0,
            prompt_id: "p".into()
        }),
        Err(ApplyError::Unexpected {
            step: 0,
            phase: Phase::Pending,
            outcome: "a posted prompt"
        }),
        "a prompt is only recorded after begin marked it"
    );
    assert_eq!(
        run.apply(Outcome::CapacityWaited { step: 9 }),
        Err(ApplyError::NoSuchStep { step: 9 })
    );
    assert_eq!(
        run.apply(Outcome::SessionCreated { id: "x".into() }),
        Err(ApplyError::SessionExists)
    );
}

#[test]
fn restoring_checks_each_step_against_its_phase() {
    let session = RunSession {
        id: Some("s".into()),
        display_name: "n".into(),
    };
    let mut following = Step::new("q");
    following.phase = Phase::Following;
    following.prompt_id = Some("p".into());
    assert_eq!(
        Run::restore(
            session.clone(),
            vec![following.clone()],
            CapacityRetry::NextHour,
            None
        ),
        Err(RestoreError::Inconsistent {
            step: 0,
            phase: Phase::Following
        })
    );
    following.evaluation_id = Some("e".into());
    assert!(
        Run::restore(
            session.clone(),
            vec![following],
            CapacityRetry::NextHour,
            None
        )
        .is_ok()
    );
    assert_eq!(
        Run::restore(session, vec![], CapacityRetry::NextHour, None),
        Err(RestoreError::NoSteps)
    );
    assert!(Run::in_new_session("n", Vec::new(), CapacityRetry::NextHour).is_none());
}

#[test]
fn phases_round_trip_through_their_names() {
    for phase in [
        Phase::Pending,
        Phase::Posting,
        Phase::Posted,
        Phase::Evaluating,
        Phase::Following,
        Phase::WaitingForCapacity,
        Phase::Succeeded,
        Phase::Failed,
    ] {
        assert_eq!(Phase::parse(phase.as_str()), Some(phase));
    }
    assert_eq!(Phase::parse("nope"), None);
}

#[test]
fn verdicts_follow_state_and_result() {
    assert_eq!(seen("completed", "success").verdict(), Verdict::Answered);
    assert_eq!(
        seen("completed", "capacityExceeded").verdict(),
        Verdict::CapacityExceeded
    );
    assert_eq!(seen("completed", "timedOut").verdict(), Verdict::NoAnswer);
    assert_eq!(seen("cancelled", "unknown").verdict(), Verdict::NoAnswer);
    assert_eq!(
        seen("waitingForInput", "unknown").verdict(),
        Verdict::NoAnswer
    );
}
