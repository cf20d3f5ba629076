package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code ebbtide usage [--by team|user|cluster|job] [--since 30d|ISO]}: the scheduler's {@code GET /usage} as a table
 * (node-hours, core-hours, GPU-hours, estimated cost). With the local token, like {@code ebbtide logs}.
 */
public final class UsageCli {
    static final String USAGE = "usage: ebbtide usage [--by team|user|cluster|job] [--since 30d|12h|ISO-INSTANT]";
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String scheduler;
    private final String authorization;
    private final PrintStream out;
    private final PrintStream err;

    UsageCli(String scheduler, String token, PrintStream out, PrintStream err) {
        this.scheduler = scheduler;
        this.authorization = "Bearer " + token;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) throws Exception {
        System.exit(new UsageCli(
                        EbbtideCli.env("EBBTIDE_SCHEDULER_URL", "http://127.0.0.1:8082"),
                        EbbtideCli.token(),
                        System.out,
                        System.err)
                .run(args));
    }

    /** Returns the exit code: 0 printed, 1 the scheduler refused or cannot be reached, 2 usage error. */
    int run(String[] args) throws IOException, InterruptedException {
        String by = "team";
        String since = "30d";
        for (int i = 0; i < args.length; i++) {
            boolean hasValue = i + 1 < args.length;
            switch (args[i]) {
                case "--by" -> by = hasValue ? args[++i] : null;
                case "--since" -> since = hasValue ? args[++i] : null;
                default -> {
                    err.println("unknown option '" + args[i] + "' (" + USAGE + ")");
                    return 2;
                }
            }
        }
        if (by == null || since == null) {
            err.println(USAGE);
            return 2;
        }
        URI uri = URI.create(scheduler + "/usage?by=" + URLEncoder.encode(by, StandardCharsets.UTF_8) + "&since="
                + URLEncoder.encode(since, StandardCharsets.UTF_8));
        HttpResponse<String> r;
        try {
            r = http.send(
                    HttpRequest.newBuilder(uri)
                            .header("Authorization", authorization)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("cannot reach the scheduler at " + scheduler + " (is the stack up? ./ebbtide up)");
            return 1;
        }
        if (r.statusCode() == 400) {
            err.println(EventJson.mapper().readTree(r.body()).path("error").asText(r.body()));
            return 2;
        }
        if (r.statusCode() != 200) {
            err.println("the scheduler refused (" + r.statusCode() + "): " + r.body());
            return 1;
        }
        out.print(table(EventJson.mapper().readTree(r.body())));
        return 0;
    }

    /** The answer as a table, one row per group, then the window and the note on what the cost is. */
    static String table(JsonNode usage) {
        String currency = usage.path("currency").asText();
        StringBuilder b = new StringBuilder();
        String format = "%-36s %12s %12s %12s %10s %14s%n";
        b.append(String.format(
                Locale.ROOT,
                format,
                usage.path("by").asText().toUpperCase(Locale.ROOT),
                "NODE-HOURS",
                "IDLE-HOURS",
                "CORE-HOURS",
                "GPU-HOURS",
                "COST (" + currency + ")"));
        for (JsonNode row : usage.path("rows")) {
            b.append(String.format(
                    Locale.ROOT,
                    format,
                    row.path("key").asText(),
                    hours(row.path("nodeSeconds").asDouble()),
                    hours(row.path("idleNodeSeconds").asDouble()),
                    String.format(Locale.ROOT, "%.2f", row.path("coreHours").asDouble()),
                    String.format(Locale.ROOT, "%.2f", row.path("gpuHours").asDouble()),
                    String.format(Locale.ROOT, "%.2f", row.path("estimatedCost").asDouble())
                            + (row.path("unpricedNodeSeconds").asDouble() > 0 ? "*" : "")));
        }
        if (usage.path("rows").isEmpty()) {
            b.append("(no usage in this window)\n");
        }
        b.append("since ")
                .append(usage.path("since").asText())
                .append(" until ")
                .append(usage.path("until").asText())
                .append("; ")
                .append(usage.path("note").asText())
                .append("; * = some node time has no price\n");
        return b.toString();
    }

    private static String hours(double seconds) {
        return String.format(Locale.ROOT, "%.2f", seconds / 3600);
    }
}
