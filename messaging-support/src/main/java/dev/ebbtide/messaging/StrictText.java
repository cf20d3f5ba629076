package dev.ebbtide.messaging;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Bytes → text, refusing anything that is not well-formed UTF-8 or that contains NUL (PostgreSQL text cannot). */
public final class StrictText {
    private StrictText() {}

    /** The text, or null when {@link #problem} would name one. */
    public static String decode(byte[] bytes) {
        try {
            String text = decoder().decode(ByteBuffer.wrap(bytes)).toString();
            return text.indexOf('\0') >= 0 ? null : text;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Why these bytes are not acceptable text ("is not valid UTF-8 …", "contains a NUL …"), or empty. */
    public static Optional<String> problem(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer text;
        try {
            text = decoder().decode(in);
        } catch (MalformedInputException e) {
            return Optional.of("is not valid UTF-8 (malformed byte at offset " + in.position() + ")");
        } catch (CharacterCodingException e) {
            return Optional.of(
                    "is not valid UTF-8 (" + e.getClass().getSimpleName() + " at offset " + in.position() + ")");
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\0') {
                return Optional.of("contains a NUL character (at character " + i + ")");
            }
        }
        return Optional.empty();
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
