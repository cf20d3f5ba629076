package dev.ebbtide.common.azureml;

/**
 * A job or cluster document that cannot be accepted; the message says what to fix in one sentence. The message is
 * always one line: line breaks and other control characters of values it quotes (a field name, a path) are written as
 * escapes ({@code \n}, {@code \u0000}).
 */
public class InvalidSpecException extends RuntimeException {
    public InvalidSpecException(String message) {
        super(oneLine(message));
    }

    public InvalidSpecException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString().strip();
    }
}
