package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Map;

/**
 * {@code ebbtide policy history NAME}, {@code ebbtide policy rollback NAME VERSION [--reason TEXT]} and
 * {@code ebbtide policy set NAME [--min N] [--max N] [--idle SECONDS] [--policy NAME] [--reason TEXT]}: a cluster's
 * policy versions through the autoscaler's REST API.
 */
public final class PolicyCli {
    static final String USAGE = "usage: ebbtide policy history NAME | policy rollback NAME VERSION [--reason TEXT]"
            + " | policy set NAME [--min N] [--max N] [--idle SECONDS] [--policy NAME] [--reason TEXT]";
    private static final Map<String, String> SET_FIELDS = Map.of(
            "--min",
            "min_instances",
            "--max",
            "max_instances",
            "--idle",
            "idle_time_before_scale_down",
            "--policy",
            "policy",
            "--reason",
            "reason");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String autoscaler;
    private final String authorization;
    private final PrintStream out;
    private final PrintStream err;

    PolicyCli(String autoscaler, String token, PrintStream out, PrintStream err) {
        this.autoscaler = autoscaler;
        this.authorization = "Bearer " + token;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) throws Exception {
        System.exit(new PolicyCli(
                        EbbtideCli.env("EBBTIDE_AUTOSCALER_URL", "http://127.0.0.1:8083"),
                        EbbtideCli.token(),
                        System.out,
                        System.err)
                .run(args));
    }

    int run(String[] args) throws IOException, InterruptedException {
        if (args.length < 2) {
            err.println(USAGE);
            return 2;
        }
        String path = "/clusters/" + URLEncoder.encode(args[1], StandardCharsets.UTF_8) + "/policy";
        switch (args[0]) {
            case "history" -> {
                JsonNode h = send(HttpRequest.newBuilder(URI.create(autoscaler + path + "/history"))
                        .GET());
                if (h == null) {
                    return 1;
                }
                out.println("cluster " + h.path("cluster").asText() + ", version in force: "
                        + h.path("current").asInt());
                for (JsonNode v : h.path("versions")) {
                    out.println(line(v));
                }
                return 0;
            }
            case "rollback" -> {
                if (args.length < 3 || !args[2].matches("\\d+")) {
                    err.println(USAGE);
                    return 2;
                }
                ObjectNode body = EventJson.mapper().createObjectNode().put("version", Integer.parseInt(args[2]));
                if (args.length == 5 && args[3].equals("--reason")) {
                    body.put("reason", args[4]);
                } else if (args.length != 3) {
                    err.println(USAGE);
                    return 2;
                }
                return print(send(post(path + "/rollback", body)));
            }
            case "set" -> {
                ObjectNode body = EventJson.mapper().createObjectNode();
                for (int i = 2; i < args.length; i += 2) {
                    String field = SET_FIELDS.get(args[i]);
                    if (field == null || i + 1 >= args.length) {
                        err.println("unknown or incomplete option '" + args[i] + "' (" + USAGE + ")");
                        return 2;
                    }
                    String value = args[i + 1];
                    if (field.equals("policy") || field.equals("reason")) {
                        body.put(field, value);
                    } else if (value.matches("\\d+")) {
                        body.put(field, Long.parseLong(value));
                    } else {
                        err.println(args[i] + " takes a whole number, not '" + value + "'");
                        return 2;
                    }
                }
                JsonNode r = send(HttpRequest.newBuilder(URI.create(autoscaler + path))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
                if (r == null) {
                    return 1;
                }
                return run(new String[] {"history", args[1]});
            }
            default -> {
                err.println(USAGE);
                return 2;
            }
        }
    }

    private int print(JsonNode version) {
        if (version == null) {
            return 1;
        }
        out.println(line(version));
        return 0;
    }

    static String line(JsonNode v) {
        StringBuilder changes = new StringBuilder();
        for (JsonNode c : v.path("changes")) {
            changes.append(changes.length() == 0 ? "" : ", ")
                    .append(c.path("field").asText())
                    .append(' ')
                    .append(
                            c.path("from").isNull() || c.path("from").isMissingNode()
                                    ? "-"
                                    : c.path("from").asText())
                    .append(" -> ")
                    .append(c.path("to").asText());
        }
        return "v" + v.path("version").asInt() + "  " + v.path("at").asText() + "  "
                + v.path("principal").asText()
                + (v.hasNonNull("rollbackOf")
                        ? "  rollback of v" + v.path("rollbackOf").asInt()
                        : "") + "  "
                + changes + (v.hasNonNull("reason") ? "  (" + v.path("reason").asText() + ")" : "");
    }

    private HttpRequest.Builder post(String path, JsonNode body) {
        return HttpRequest.newBuilder(URI.create(autoscaler + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r;
        try {
            r = http.send(request.header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("cannot reach the autoscaler at " + autoscaler + " (is the stack up? ./ebbtide up)");
            return null;
        }
        JsonNode json;
        try {
            json = EventJson.mapper().readTree(r.body());
        } catch (IOException e) {
            json = null;
        }
        if (r.statusCode() != 200 || json == null) {
            err.println("refused (" + r.statusCode() + "): "
                    + (json == null ? r.body() : json.path("error").asText(r.body())));
            return null;
        }
        return json;
    }
}
