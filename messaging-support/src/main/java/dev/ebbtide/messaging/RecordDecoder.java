package dev.ebbtide.messaging;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.common.validation.EventRules;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;

/**
 * The pure step every consumer runs first: a record's bytes → a valid event, or {@link Decoded.Poison} with the
 * reason. It never throws: whatever the bytes, the answer is one of the {@link Decoded} cases. Checks, in order:
 * null/empty value, sizes, key text, {@code ce_*} headers, strict UTF-8 without NUL, JSON object, generic limits
 * (string sizes, nesting, NUL, null array elements), typed strict read, then {@link EventRules}.
 */
public final class RecordDecoder {
    private RecordDecoder() {}

    public static <T> Decoded<T> decode(String topic, byte[] key, byte[] value, Headers headers, Class<T> type) {
        return decode(topic, key, value, headers, type, Limits.DEFAULT);
    }

    public static <T> Decoded<T> decode(
            String topic, byte[] key, byte[] value, Headers headers, Class<T> type, Limits limits) {
        try {
            return decodeOrThrow(topic, key, value, headers, type, limits);
        } catch (RuntimeException | StackOverflowError e) {
            return poison(
                    "could not be read: " + e.getClass().getSimpleName() + ": " + StrictJson.firstLine(e.getMessage()));
        }
    }

    private static <T> Decoded<T> decodeOrThrow(
            String topic, byte[] key, byte[] value, Headers headers, Class<T> type, Limits limits) {
        if (value == null) {
            return Topics.COMPACTED.contains(topic)
                    ? new Decoded.Tombstone<>()
                    : poison("null value (a tombstone) on " + topic + ", which is not compacted");
        }
        if (value.length == 0) {
            return poison("empty value");
        }
        if (value.length > limits.maxValueBytes()) {
            return poison("value is " + value.length + " bytes, more than " + limits.maxValueBytes());
        }
        if (key != null) {
            if (key.length > limits.maxKeyBytes()) {
                return poison("key is " + key.length + " bytes, more than " + limits.maxKeyBytes());
            }
            Optional<String> keyProblem = StrictText.problem(key);
            if (keyProblem.isPresent()) {
                return poison("key " + keyProblem.get());
            }
        }
        Optional<String> ce = CloudEventHeaders.problem(topic, headers, limits);
        if (ce.isPresent()) {
            return poison(ce.get());
        }
        Optional<String> textProblem = StrictText.problem(value);
        if (textProblem.isPresent()) {
            return poison("value " + textProblem.get());
        }
        String text = StrictText.decode(value);
        JsonNode tree;
        try {
            tree = StrictJson.tree(text);
        } catch (JacksonException e) {
            return poison("value is not a JSON document: " + StrictJson.firstLine(e.getOriginalMessage()));
        }
        if (tree == null || tree.isMissingNode()) {
            return poison("value holds no JSON document");
        }
        if (!tree.isObject()) {
            return poison("value is a JSON " + tree.getNodeType().name().toLowerCase() + ", not an object");
        }
        Optional<String> generic = StrictJson.walk(tree, "", 1, limits);
        if (generic.isPresent()) {
            return poison(generic.get());
        }
        T event;
        try {
            event = StrictJson.MAPPER.treeToValue(tree, type);
        } catch (JacksonException e) {
            return poison(StrictJson.sentence(type.getSimpleName(), e));
        }
        if (event == null) {
            return poison("value is not a " + type.getSimpleName());
        }
        Optional<String> rules = EventRules.check(event);
        if (rules.isPresent()) {
            return poison("invalid " + type.getSimpleName() + ": " + rules.get());
        }
        return new Decoded.Event<>(event, CloudEventHeaders.id(headers));
    }

    private static <T> Decoded<T> poison(String reason) {
        return new Decoded.Poison<>(reason);
    }
}
