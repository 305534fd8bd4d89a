//! The ticket enums, spelled exactly as in the GraphQL contract. The spelling is also the
//! stored form, so it must never change.

contract_enum! {
    /// What the customer came about.
    TicketKind {
        /// A question.
        Inquiry => "INQUIRY",
        /// A complaint; needs a category and carries a severity.
        Complaint => "COMPLAINT",
        /// A suggestion; tracked through an adoption status.
        Suggestion => "SUGGESTION",
        /// Praise for a named employee.
        Praise => "PRAISE",
        /// Repair, maintenance, return or exchange.
        AfterSales => "AFTER_SALES",
        /// A technical problem.
        TechnicalSupport => "TECHNICAL_SUPPORT",
    }
}

contract_enum! {
    /// How the ticket reached us.
    Channel {
        /// A phone call.
        Phone => "PHONE",
        /// An email.
        Email => "EMAIL",
        /// Live chat.
        LiveChat => "LIVE_CHAT",
        /// The web form.
        WebForm => "WEB_FORM",
        /// The mobile app.
        MobileApp => "MOBILE_APP",
        /// A social media channel.
        SocialMedia => "SOCIAL_MEDIA",
        /// In person.
        WalkIn => "WALK_IN",
        /// The physical suggestion box.
        SuggestionBox => "SUGGESTION_BOX",
    }
}

contract_enum! {
    /// What a complaint is about; the axis complaint analytics group by.
    ComplaintCategory {
        /// The product itself is faulty.
        ProductQuality => "PRODUCT_QUALITY",
        /// How staff treated the customer.
        ServiceAttitude => "SERVICE_ATTITUDE",
        /// Late delivery.
        DeliveryDelay => "DELIVERY_DELAY",
        /// A disputed charge.
        BillingDispute => "BILLING_DISPUTE",
        /// A technical failure.
        TechnicalFault => "TECHNICAL_FAULT",
        /// Anything else.
        Other => "OTHER",
    }
}

contract_enum! {
    /// How serious a complaint is. Ordered: `Major` is the most serious.
    #[derive(PartialOrd, Ord)]
    Severity {
        /// Facts clear, quick fix.
        General => "GENERAL",
        /// Large amount, angry customer, reputational risk, or cross-department.
        Important => "IMPORTANT",
        /// Group incident, media exposure, litigation, serious reputational harm.
        Major => "MAJOR",
    }
}

contract_enum! {
    /// How urgently a ticket is worked. Ordered: `Urgent` is the highest.
    #[derive(PartialOrd, Ord)]
    Priority {
        /// Can wait.
        Low => "LOW",
        /// The usual.
        Normal => "NORMAL",
        /// Ahead of normal work.
        High => "HIGH",
        /// Drop everything.
        Urgent => "URGENT",
    }
}

impl Priority {
    /// 0 (`Low`) to 3 (`Urgent`): the stored, sortable form.
    pub const fn rank(self) -> i16 {
        self as i16
    }

    /// The priority with the given [`rank`](Priority::rank), if any.
    pub fn from_rank(rank: i16) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.rank() == rank)
    }
}

contract_enum! {
    /// Where a ticket is in its lifecycle.
    TicketStatus {
        /// Received, nobody has responded yet.
        New => "NEW",
        /// Acknowledged and being worked on.
        Open => "OPEN",
        /// Dispatched to a responsible department.
        PendingDepartment => "PENDING_DEPARTMENT",
        /// Waiting for the customer.
        PendingCustomer => "PENDING_CUSTOMER",
        /// A solution was communicated to the customer.
        Resolved => "RESOLVED",
        /// Done and archived (may still be reopened).
        Closed => "CLOSED",
    }
}

impl TicketStatus {
    /// The statuses in which a ticket is still being worked: the queue's, the SLA worker's and
    /// the open counts' one definition.
    pub const OPEN: [TicketStatus; 4] = [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::PendingDepartment,
        TicketStatus::PendingCustomer,
    ];

    /// Whether a ticket in this status is still being worked.
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

contract_enum! {
    /// Whether a suggestion was taken up.
    SuggestionStatus {
        /// Received, not yet decided.
        Proposed => "PROPOSED",
        /// Accepted.
        Adopted => "ADOPTED",
        /// Accepted and put into practice.
        Implemented => "IMPLEMENTED",
        /// Not taken up.
        Declined => "DECLINED",
    }
}

contract_enum! {
    /// Progress of a corrective action.
    CorrectiveActionStatus {
        /// Agreed, not done yet.
        Open => "OPEN",
        /// Done by the owning department.
        Done => "DONE",
        /// Checked by a lead to have worked.
        Verified => "VERIFIED",
    }
}

contract_enum! {
    /// What a timeline entry records.
    TicketEventKind {
        /// The ticket was registered.
        Created => "CREATED",
        /// The first response.
        Acknowledged => "ACKNOWLEDGED",
        /// Someone was given (or gave up) responsibility.
        Assigned => "ASSIGNED",
        /// Sent to a responsible department.
        Dispatched => "DISPATCHED",
        /// An internal note.
        NoteAdded => "NOTE_ADDED",
        /// A message to the customer.
        CustomerReply => "CUSTOMER_REPLY",
        /// A status change not covered by a more specific kind.
        StatusChanged => "STATUS_CHANGED",
        /// Escalated to a higher level.
        Escalated => "ESCALATED",
        /// An SLA target is close.
        SlaWarning => "SLA_WARNING",
        /// An SLA target was missed.
        SlaBreached => "SLA_BREACHED",
        /// A solution was communicated.
        Resolved => "RESOLVED",
        /// A follow-up visit was recorded.
        FollowUpRecorded => "FOLLOW_UP_RECORDED",
        /// A satisfaction rating was given.
        Rated => "RATED",
        /// Reopened after resolution or closure.
        Reopened => "REOPENED",
        /// Closed.
        Closed => "CLOSED",
        /// The employees a complaint is about were named or changed.
        InvolvedStaffSet => "INVOLVED_STAFF_SET",
        /// A complaint's verdict and root cause were recorded or revised.
        VerdictRecorded => "VERDICT_RECORDED",
        /// The business calendar changed and the unmet due times were counted again.
        DueTimesRecomputed => "DUE_TIMES_RECOMPUTED",
        /// A department answered its task.
        DepartmentAnswered => "DEPARTMENT_ANSWERED",
        /// A department's liaisons were reminded of a task's deadline.
        DepartmentReminded => "DEPARTMENT_REMINDED",
        /// Kind, severity, category or priority changed after intake.
        Reclassified => "RECLASSIFIED",
        /// Evidence was added.
        AttachmentsAdded => "ATTACHMENTS_ADDED",
        /// A follow-up case was opened from this ticket.
        FollowUpCaseOpened => "FOLLOW_UP_CASE_OPENED",
        /// The customer's answers to a satisfaction survey were recorded on a call.
        SurveyAnswered => "SURVEY_ANSWERED",
        /// The customer wrote on their ticket.
        CustomerMessage => "CUSTOMER_MESSAGE",
        /// The customer was promised an answer by a time.
        AnswerPromised => "ANSWER_PROMISED",
    }
}

contract_enum! {
    /// Where a department task stands.
    DepartmentTaskStatus {
        /// Waiting for the department's answer.
        Open => "OPEN",
        /// The department answered.
        Answered => "ANSWERED",
        /// No longer needed.
        Cancelled => "CANCELLED",
    }
}

contract_enum! {
    /// Whether a complaint was well founded; a justified complaint counts against the employees
    /// it names.
    ComplaintVerdict {
        /// Not decided yet.
        Pending => "PENDING",
        /// Well founded: counts against the employees involved.
        Justified => "JUSTIFIED",
        /// Not well founded.
        Unjustified => "UNJUSTIFIED",
    }
}

contract_enum! {
    /// How a follow-up visit reached the customer.
    FollowUpMethod {
        /// By phone.
        Phone => "PHONE",
        /// By email.
        Email => "EMAIL",
        /// By text message.
        Sms => "SMS",
        /// In person.
        Visit => "VISIT",
        /// Through the app.
        InApp => "IN_APP",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Copy + PartialEq + std::fmt::Debug>(
        all: &[T],
        as_str: fn(&T) -> &'static str,
        parse: fn(&str) -> Option<T>,
    ) {
        for v in all {
            assert_eq!(parse(as_str(v)), Some(*v));
            assert_eq!(parse(&as_str(v).to_lowercase()), None);
        }
    }

    #[test]
    fn every_contract_spelling_round_trips_and_lower_case_is_rejected() {
        round_trips(&TicketKind::ALL, TicketKind::as_str, TicketKind::parse);
        round_trips(&Channel::ALL, Channel::as_str, Channel::parse);
        round_trips(
            &ComplaintCategory::ALL,
            ComplaintCategory::as_str,
            ComplaintCategory::parse,
        );
        round_trips(&Severity::ALL, Severity::as_str, Severity::parse);
        round_trips(&Priority::ALL, Priority::as_str, Priority::parse);
        round_trips(
            &TicketStatus::ALL,
            TicketStatus::as_str,
            TicketStatus::parse,
        );
        round_trips(
            &SuggestionStatus::ALL,
            SuggestionStatus::as_str,
            SuggestionStatus::parse,
        );
        round_trips(
            &CorrectiveActionStatus::ALL,
            CorrectiveActionStatus::as_str,
            CorrectiveActionStatus::parse,
        );
        round_trips(
            &TicketEventKind::ALL,
            TicketEventKind::as_str,
            TicketEventKind::parse,
        );
        round_trips(
            &ComplaintVerdict::ALL,
            ComplaintVerdict::as_str,
            ComplaintVerdict::parse,
        );
        round_trips(
            &FollowUpMethod::ALL,
            FollowUpMethod::as_str,
            FollowUpMethod::parse,
        );
    }

    #[test]
    fn enums_list_every_contract_value() {
        assert_eq!(TicketKind::ALL.len(), 6);
        assert_eq!(Channel::ALL.len(), 8);
        assert_eq!(ComplaintCategory::ALL.len(), 6);
        assert_eq!(TicketStatus::ALL.len(), 6);
        assert_eq!(TicketEventKind::ALL.len(), 26);
        assert_eq!(ComplaintVerdict::ALL.len(), 3);
        assert_eq!(FollowUpMethod::ALL.len(), 5);
        assert_eq!(
            TicketStatus::PendingDepartment.to_string(),
            "PENDING_DEPARTMENT"
        );
        assert_eq!(FollowUpMethod::InApp.as_str(), "IN_APP");
    }

    #[test]
    fn urgent_is_the_highest_priority_and_ranks_are_zero_to_three() {
        assert!(Priority::Urgent > Priority::High);
        assert!(Priority::High > Priority::Normal);
        assert!(Priority::Normal > Priority::Low);
        let ranks: Vec<i16> = Priority::ALL.iter().map(|p| p.rank()).collect();
        assert_eq!(ranks, vec![0, 1, 2, 3]);
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), Some(p));
        }
        assert_eq!(Priority::from_rank(4), None);
    }

    #[test]
    fn major_is_the_most_serious_severity() {
        assert!(Severity::Major > Severity::Important);
        assert!(Severity::Important > Severity::General);
    }
}
