package dev.ebbtide.common.events;

/** One field of a policy change: its name in the REST API's vocabulary, the old value and the new one, as text. */
public record PolicyFieldChange(String field, String from, String to) {}
