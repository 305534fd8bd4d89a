//! sea-orm entities, one per table. The GraphQL layer never exposes these directly.

pub mod corrective_action;
pub mod corrective_action_ticket;
pub mod customer;
pub mod department;
pub mod escalation;
pub mod follow_up;
pub mod handover;
pub mod handover_ticket;
pub mod outbox;
pub mod peer_assessment;
pub mod performance_review;
pub mod refresh_token;
pub mod review_cycle;
pub mod satisfaction_rating;
pub mod shift;
pub mod sla_policy;
pub mod team;
pub mod ticket;
pub mod ticket_event;
pub mod training_course;
pub mod training_record;
pub mod training_session;
pub mod user;
