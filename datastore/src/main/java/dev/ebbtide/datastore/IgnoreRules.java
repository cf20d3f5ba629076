package dev.ebbtide.datastore;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The subset of gitignore syntax that code snapshots honour, read from the code folder's own {@code .amlignore} (or,
 * when it has none, its {@code .gitignore}), as Azure ML does. Pure.
 *
 * <p>Supported: blank lines and {@code #} comments; {@code *} (any characters but {@code /}), {@code ?} (one
 * character but {@code /}), {@code [abc]}/{@code [a-z]}/{@code [!a]} classes, {@code **} as a whole segment
 * ({@code **}{@code /x}, {@code x/**}, {@code a/**}{@code /b}); a pattern with a {@code /} at the start or in the
 * middle is anchored to the folder, one without matches a name at any depth; a trailing {@code /} matches folders
 * only; {@code !} re-includes (the last matching line wins; as in git, a file cannot be re-included when a folder
 * above it is excluded); {@code \} escapes a leading {@code #} or {@code !} and trailing spaces. Not supported: ignore
 * files in subfolders (only the top-level one is read), {@code .git/info/exclude}, global excludes.
 */
public final class IgnoreRules {
    private record Rule(Pattern regex, boolean negated, boolean dirOnly) {}

    private final List<Rule> rules;

    private IgnoreRules(List<Rule> rules) {
        this.rules = rules;
    }

    /** No rules: nothing ignored. */
    public static IgnoreRules none() {
        return new IgnoreRules(List.of());
    }

    /** Parses the text of an ignore file. */
    public static IgnoreRules parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\r?\n")) {
            String line = stripTrailingSpaces(raw);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean negated = false;
            if (line.startsWith("!")) {
                negated = true;
                line = line.substring(1);
            } else if (line.startsWith("\\!") || line.startsWith("\\#")) {
                line = line.substring(1);
            }
            boolean dirOnly = false;
            if (line.endsWith("/")) {
                dirOnly = true;
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                continue;
            }
            boolean anchored = line.contains("/");
            if (line.startsWith("/")) {
                line = line.substring(1);
            }
            String body = toRegex(line);
            String regex = anchored || line.startsWith("**") ? body : "(?:.*/)?" + body;
            rules.add(new Rule(Pattern.compile(regex), negated, dirOnly));
        }
        return new IgnoreRules(List.copyOf(rules));
    }

    /**
     * True if the path is ignored by the rules alone (the caller stops descending into ignored folders).
     *
     * @param path {@code /}-separated, relative to the code folder
     */
    public boolean ignored(String path, boolean directory) {
        boolean ignored = false;
        for (Rule rule : rules) {
            if (rule.dirOnly() && !directory) {
                continue;
            }
            if (rule.regex().matcher(path).matches()) {
                ignored = !rule.negated();
            }
        }
        return ignored;
    }

    private static String stripTrailingSpaces(String line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ' && !(end > 1 && line.charAt(end - 2) == '\\')) {
            end--;
        }
        return line.substring(0, end);
    }

    private static String toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        String[] segments = glob.split("/", -1);
        for (int s = 0; s < segments.length; s++) {
            String seg = segments[s];
            boolean last = s == segments.length - 1;
            if (seg.equals("**")) {
                if (last) {
                    re.append(".*"); // a/** : everything inside a
                } else {
                    re.append("(?:.*/)?"); // **/ : zero or more folders
                }
                continue;
            }
            for (int i = 0; i < seg.length(); i++) {
                char c = seg.charAt(i);
                switch (c) {
                    case '*' -> re.append("[^/]*");
                    case '?' -> re.append("[^/]");
                    case '[' -> {
                        int close = seg.indexOf(']', i + 2);
                        if (close < 0) {
                            re.append("\\[");
                        } else {
                            String cls = seg.substring(i + 1, close);
                            if (cls.startsWith("!")) {
                                cls = "^" + cls.substring(1);
                            }
                            re.append('[').append(cls.replace("\\", "\\\\")).append(']');
                            i = close;
                        }
                    }
                    case '\\' -> {
                        if (i + 1 < seg.length()) {
                            re.append(Pattern.quote(String.valueOf(seg.charAt(++i))));
                        }
                    }
                    default -> re.append(Pattern.quote(String.valueOf(c)));
                }
            }
            if (!last) {
                re.append('/');
            }
        }
        return re.toString();
    }
}
