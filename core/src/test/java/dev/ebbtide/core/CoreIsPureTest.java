package dev.ebbtide.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The decision cores stay pure: no framework, no I/O, no clock. A plain source scan (no ArchUnit) so it also catches
 * fully qualified uses and static imports.
 */
class CoreIsPureTest {

    private static final List<String> FORBIDDEN_PACKAGES = List.of(
            "io.quarkus",
            "jakarta",
            "javax",
            "io.smallrye",
            "org.hibernate",
            "org.apache.kafka",
            "com.azure",
            "java.io",
            "java.nio",
            "java.net",
            "java.util.concurrent.Executor",
            "java.lang.Thread");

    private static final List<Pattern> FORBIDDEN_CALLS = List.of(
            Pattern.compile("\\bInstant\\s*\\.\\s*now\\s*\\("),
            Pattern.compile("\\bnow\\s*\\(\\s*\\)\\s*;"),
            Pattern.compile("\\bSystem\\s*\\.\\s*currentTimeMillis\\s*\\("),
            Pattern.compile("\\bSystem\\s*\\.\\s*nanoTime\\s*\\("),
            Pattern.compile("\\bClock\\s*\\.\\s*system"),
            Pattern.compile("\\bjava\\.time\\.Clock\\b"),
            Pattern.compile("\\bimport\\s+java\\.time\\.Clock\\s*;"),
            Pattern.compile("\\bThread\\s*\\.\\s*sleep\\s*\\("),
            Pattern.compile("\\bnew\\s+Random\\s*\\("),
            Pattern.compile("\\bMath\\s*\\.\\s*random\\s*\\("));

    private static final Path SOURCES = Path.of("src", "main", "java");

    @Test
    void coreSourcesImportNoFrameworkIoOrClock() throws IOException {
        List<String> violations = new ArrayList<>();
        List<Path> files = javaFiles();
        assertTrue(files.size() >= 10, "expected the core sources under " + SOURCES.toAbsolutePath());
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String code = stripComment(lines.get(i));
                for (String pkg : FORBIDDEN_PACKAGES) {
                    if (Pattern.compile("\\b" + Pattern.quote(pkg) + "\\b")
                            .matcher(code)
                            .find()) {
                        violations.add(f + ":" + (i + 1) + " uses " + pkg + ": " + code.trim());
                    }
                }
                for (Pattern call : FORBIDDEN_CALLS) {
                    if (call.matcher(code).find()) {
                        violations.add(f + ":" + (i + 1) + " reads the clock or randomness: " + code.trim());
                    }
                }
            }
        }
        assertTrue(violations.isEmpty(), "core must stay pure:\n" + String.join("\n", violations));
    }

    @Test
    void theScanWouldCatchAViolation() {
        String sample = "import java.io.File; var t = Instant.now();";
        assertTrue(FORBIDDEN_CALLS.get(0).matcher(sample).find());
        assertTrue(Pattern.compile("\\b" + Pattern.quote("java.io") + "\\b")
                .matcher(sample)
                .find());
        assertFalse(Pattern.compile("\\b" + Pattern.quote("java.io") + "\\b")
                .matcher("import java.time.Instant;")
                .find());
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> s = Files.walk(SOURCES)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String stripComment(String line) {
        String t = line.trim();
        if (t.startsWith("*") || t.startsWith("/*") || t.startsWith("//")) {
            return "";
        }
        int c = line.indexOf("//");
        return c >= 0 ? line.substring(0, c) : line;
    }
}
