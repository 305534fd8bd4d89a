//! The outbox relay on a real (in-memory SQLite) database: a row that no longer decodes is
//! reported by the round that sets it aside, never silently dropped, and holds up no later
//! event.
#![expect(clippy::expect_used, reason = "a test's setup fails loudly")]

use careline_domain::event::{Envelope, Event};
use careline_persistence::entity::outbox;
use careline_persistence::outbox::{enqueue, pending_count, relay_batch};
use careline_persistence::{DatabaseConnection, now};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

async fn database() -> DatabaseConnection {
    let db = careline_persistence::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    careline_persistence::migrate(&db)
        .await
        .expect("migrations");
    db
}

fn event() -> Envelope {
    Envelope::new(Event::SessionsEnded {
        user_id: Uuid::now_v7(),
        at: now(),
    })
}

/// A row as a newer (or broken) writer might have left it: not an envelope this build reads,
/// with a value in it that must not reach the logs.
fn undecodable(id: Uuid) -> outbox::ActiveModel {
    outbox::ActiveModel {
        id: Set(id),
        payload: Set(format!(
            r#"{{"v":1,"id":"{id}","event":{{"type":"NOT_AN_EVENT","note":"Ms Example"}}}}"#
        )),
        created_at: Set(now()),
        published_at: Set(None),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_relay_round_reports_the_rows_it_could_not_decode_and_publishes_the_rest() {
    let db = database().await;
    let before = event();
    enqueue(&db, std::slice::from_ref(&before))
        .await
        .expect("enqueue");
    let bad = Uuid::now_v7();
    undecodable(bad).insert(&db).await.expect("insert");
    let after = event();
    enqueue(&db, std::slice::from_ref(&after))
        .await
        .expect("enqueue");

    let published = Arc::new(Mutex::new(Vec::new()));
    let sink = published.clone();
    let round = relay_batch(&db, 100, |batch| async move {
        sink.lock().expect("sink").extend(batch);
        Ok(())
    })
    .await
    .expect("relay");
    assert_eq!(round.claimed, 3);
    assert_eq!(round.published, 2);
    assert_eq!(
        round.undecodable,
        vec![bad],
        "the undecodable row is reported"
    );
    let ids: Vec<Uuid> = published
        .lock()
        .expect("sink")
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, vec![before.id, after.id], "the rest go out in order");
    assert_eq!(
        pending_count(&db).await.expect("count"),
        0,
        "set aside, it is not claimed again every round"
    );
    let kept = outbox::Entity::find()
        .all(&db)
        .await
        .expect("rows")
        .into_iter()
        .find(|r| r.id == bad)
        .expect("the row is kept for inspection");
    assert!(kept.published_at.is_some());
}

#[tokio::test]
async fn a_batch_of_only_undecodable_rows_is_set_aside_without_publishing() {
    let db = database().await;
    let bad = Uuid::now_v7();
    undecodable(bad).insert(&db).await.expect("insert");
    let round = relay_batch(&db, 100, |batch| async move {
        anyhow::ensure!(!batch.is_empty(), "an empty batch was published");
        Ok(())
    })
    .await
    .expect("relay");
    assert_eq!(round.undecodable, vec![bad]);
    assert_eq!(round.published, 0);
    assert_eq!(pending_count(&db).await.expect("count"), 0);
}
