package dev.ebbtide.common;

/**
 * What "one sentence" means in tests of error messages, checkably: text on one line (no line break or other control
 * character), not blank, without leading or trailing spaces, not ending mid-way (on ':' or ','), and without a
 * sentence break (". " followed by a capital letter) outside the values it quotes in '…'.
 */
public final class Sentences {
    private Sentences() {}

    public static boolean isOneSentence(String message) {
        if (message == null || message.isBlank() || !message.strip().equals(message)) {
            return false;
        }
        if (message.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029')) {
            return false;
        }
        if (message.endsWith(":") || message.endsWith(",")) {
            return false;
        }
        return !unquoted(message).matches("(?s).*\\. \\p{Lu}.*");
    }

    /** The message without its '…' quoted values (user text may hold anything). */
    private static String unquoted(String message) {
        return message.replaceAll("'[^']*'", "''");
    }
}
