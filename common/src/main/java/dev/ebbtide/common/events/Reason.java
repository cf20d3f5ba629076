package dev.ebbtide.common.events;

/** A typed reason for a decision: a stable code for dashboards and a sentence for people. */
public record Reason(String code, String message) {}
