package dev.ebbtide.messaging;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Checks a record's CloudEvents binary-mode headers ({@code ce_*}) ourselves, so a malformed one is a reason to
 * dead-letter the record instead of an exception inside the connector (channels run with {@code cloud-events=false}).
 * A record without any {@code ce_*} header is fine: producers may publish the bare JSON.
 */
public final class CloudEventHeaders {
    static final int MAX_ID_CHARS = 256;

    private CloudEventHeaders() {}

    /** Why the headers are unacceptable for a record of {@code topic}, or empty when they are fine. */
    public static Optional<String> problem(String topic, Headers headers, Limits limits) {
        if (headers == null) {
            return Optional.empty();
        }
        boolean any = false;
        for (Header h : headers) {
            if (!h.key().startsWith("ce_")) {
                continue;
            }
            any = true;
            byte[] raw = h.value();
            if (raw == null) {
                return Optional.of("CloudEvents header " + h.key() + " has no value");
            }
            if (raw.length > limits.maxHeaderBytes()) {
                return Optional.of("CloudEvents header " + h.key() + " is " + raw.length + " bytes, more than "
                        + limits.maxHeaderBytes());
            }
            Optional<String> text = StrictText.problem(raw);
            if (text.isPresent()) {
                return Optional.of("CloudEvents header " + h.key() + " " + text.get());
            }
        }
        if (!any) {
            return Optional.empty();
        }
        String spec = text(headers, "ce_specversion");
        if (!"1.0".equals(spec)) {
            return Optional.of(
                    spec == null
                            ? "CloudEvents headers without ce_specversion"
                            : "CloudEvents ce_specversion must be 1.0, got '" + spec + "'");
        }
        String id = text(headers, "ce_id");
        if (id == null || id.isBlank()) {
            return Optional.of("CloudEvents ce_id is missing or empty");
        }
        if (id.length() > MAX_ID_CHARS) {
            return Optional.of("CloudEvents ce_id is " + id.length() + " characters, more than " + MAX_ID_CHARS);
        }
        String source = text(headers, "ce_source");
        if (source == null || source.isBlank()) {
            return Optional.of("CloudEvents ce_source is missing or empty");
        }
        String type = text(headers, "ce_type");
        if (type == null || type.isBlank()) {
            return Optional.of("CloudEvents ce_type is missing or empty");
        }
        Set<String> known = TopicTypes.typesOf(topic);
        if (!known.isEmpty() && !known.contains(type)) {
            return Optional.of(
                    "CloudEvents ce_type '" + type + "' is not a type of " + topic + " (expected " + known + ")");
        }
        String time = text(headers, "ce_time");
        if (time != null) {
            try {
                OffsetDateTime.parse(time, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            } catch (DateTimeParseException e) {
                return Optional.of("CloudEvents ce_time '" + time
                        + "' is not an RFC 3339 time with an offset (e.g. 2026-11-26T20:42:28.512Z)");
            }
        }
        return Optional.empty();
    }

    /** The CloudEvents id, if the record has a valid one (call after {@link #problem} found none). */
    public static String id(Headers headers) {
        return headers == null ? null : text(headers, "ce_id");
    }

    /** The CloudEvents type ({@code ce_type}), or null when the record has none (how a consumer picks a version). */
    public static String type(Headers headers) {
        return headers == null ? null : text(headers, "ce_type");
    }

    private static String text(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
