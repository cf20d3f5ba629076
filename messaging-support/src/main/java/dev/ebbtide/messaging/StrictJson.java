package dev.ebbtide.messaging;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.ebbtide.common.events.EventJson;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads events strictly: wrong types (a string for a number, 2.9 for a whole number, a number for a string or an
 * enum), unknown enum values, duplicate keys and trailing garbage are refused. Unknown FIELDS are still ignored, so a
 * v1 reader accepts a v1 record that gained optional fields.
 */
final class StrictJson {
    static final ObjectMapper MAPPER = strict();

    private StrictJson() {}

    private static ObjectMapper strict() {
        ObjectMapper mapper = EventJson.configure(JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                                DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
                        DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                                DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(
                        DeserializationFeature.ACCEPT_FLOAT_AS_INT,
                        DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL,
                        DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build());
        for (LogicalType target : new LogicalType[] {
            LogicalType.Textual,
            LogicalType.Integer,
            LogicalType.Float,
            LogicalType.Boolean,
            LogicalType.Enum,
            LogicalType.DateTime
        }) {
            mapper.coercionConfigFor(target).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        for (CoercionInputShape shape : new CoercionInputShape[] {
            CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean
        }) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
            mapper.coercionConfigFor(LogicalType.DateTime).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    /** The JSON document in {@code text}; throws {@link JacksonException} when it is not one. */
    static JsonNode tree(String text) throws JacksonException {
        return MAPPER.readTree(text);
    }

    /** Why this tree breaks a generic limit (NUL, oversized strings, nesting, null array elements), or empty. */
    static Optional<String> walk(JsonNode node, String path, int depth, Limits limits) {
        if (depth > limits.maxDepth()) {
            return Optional.of("JSON nested more than " + limits.maxDepth() + " levels at " + shown(path));
        }
        if (node.isTextual()) {
            String text = node.textValue();
            if (text.length() > limits.maxStringChars()) {
                return Optional.of("field " + shown(path) + " is " + text.length() + " characters, more than "
                        + limits.maxStringChars());
            }
            return text.indexOf('\0') >= 0 && !limits.nulAllowedIn().contains(path)
                    ? Optional.of("field " + shown(path) + " contains a NUL character")
                    : Optional.empty();
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (node.get(i).isNull()) {
                    return Optional.of("field " + shown(path) + "[" + i + "] is null");
                }
                Optional<String> inner = walk(node.get(i), path + "[" + i + "]", depth + 1, limits);
                if (inner.isPresent()) {
                    return inner;
                }
            }
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                if (name.length() > limits.maxStringChars() || name.indexOf('\0') >= 0) {
                    return Optional.of(
                            "a field name under " + shown(path) + " is too long or contains a NUL character");
                }
                Optional<String> inner =
                        walk(field.getValue(), path.isEmpty() ? name : path + "." + name, depth + 1, limits);
                if (inner.isPresent()) {
                    return inner;
                }
            }
        }
        return Optional.empty();
    }

    /** One sentence for a failed typed read: where and what. */
    static String sentence(String typeName, JacksonException e) {
        String where = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? " at "
                        + m.getPath().stream()
                                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                                .collect(Collectors.joining("."))
                                .replace(".[", "[")
                : "";
        Throwable cause = e instanceof ValueInstantiationException && e.getCause() != null ? e.getCause() : null;
        String what = firstLine(cause != null ? cause.getMessage() : e.getOriginalMessage());
        if (what.startsWith("Cannot map `null` into type")) {
            what = "missing or null";
        }
        for (String noise : new String[] {" (but ", " (set DeserializationConfig"}) {
            int at = what.indexOf(noise);
            what = at > 0 ? what.substring(0, at) : what;
        }
        return "not a valid " + typeName + where + ": " + what;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        String line = s.lines().findFirst().orElse("").strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private static String shown(String path) {
        return path.isEmpty() ? "(the document)" : path.length() > 100 ? path.substring(0, 100) + "…" : path;
    }
}
