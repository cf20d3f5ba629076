package dev.ebbtide.devsupport;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code ebbtide trace export --cluster NAME [--since 2h|ISO] [--out FILE]}: a cluster's recorded jobs from the
 * scheduler ({@code GET /clusters/{name}/trace}) in the simulator's CSV format, on stdout or into a file that
 * {@code ebbtide simulate --trace FILE} replays.
 */
public final class TraceCli {
    static final String USAGE = "usage: ebbtide trace export --cluster NAME [--since 2h|ISO-INSTANT] [--out FILE]";
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String scheduler;
    private final String authorization;
    private final Clock clock;
    private final PrintStream out;
    private final PrintStream err;

    TraceCli(String scheduler, String token, Clock clock, PrintStream out, PrintStream err) {
        this.scheduler = scheduler;
        this.authorization = "Bearer " + token;
        this.clock = clock;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) throws Exception {
        System.exit(new TraceCli(
                        EbbtideCli.env("EBBTIDE_SCHEDULER_URL", "http://127.0.0.1:8082"),
                        EbbtideCli.token(),
                        Clock.systemUTC(),
                        System.out,
                        System.err)
                .run(args));
    }

    /** Returns the exit code: 0 written, 1 the scheduler refused or cannot be reached, 2 usage error. */
    int run(String[] args) throws IOException, InterruptedException {
        String cluster = null;
        String since = "24h";
        Path file = null;
        if (args.length == 0 || !args[0].equals("export")) {
            err.println(USAGE);
            return 2;
        }
        for (int i = 1; i < args.length; i++) {
            boolean hasValue = i + 1 < args.length;
            switch (args[i]) {
                case "--cluster" -> cluster = hasValue ? args[++i] : null;
                case "--since" -> since = hasValue ? args[++i] : null;
                case "--out" -> file = hasValue ? Path.of(args[++i]) : null;
                default -> {
                    err.println("unknown option '" + args[i] + "' (" + USAGE + ")");
                    return 2;
                }
            }
        }
        if (cluster == null || since == null) {
            err.println(USAGE);
            return 2;
        }
        Instant from;
        try {
            from = Since.parse(since, clock.instant());
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        URI uri = URI.create(scheduler + "/clusters/" + URLEncoder.encode(cluster, StandardCharsets.UTF_8)
                + "/trace?since=" + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8));
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
        if (r.statusCode() != 200) {
            err.println("the scheduler refused (" + r.statusCode() + "): " + r.body());
            return 1;
        }
        if (file == null) {
            out.print(r.body());
        } else {
            Files.writeString(file, r.body());
            long jobs = r.body().lines().count() - 1;
            err.println("wrote " + jobs + " jobs of cluster " + cluster + " since " + from + " to " + file);
        }
        return 0;
    }
}
