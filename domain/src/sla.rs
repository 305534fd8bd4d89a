//! Business calendars and the SLA clock (being written).
