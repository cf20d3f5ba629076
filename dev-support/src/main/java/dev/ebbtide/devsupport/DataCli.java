package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.common.events.EventJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./ebbtide data upload|create|list}, {@code ./ebbtide datastore create|list} and {@code ./ebbtide download}:
 * the job-submitter's data endpoints from the command line. Exit codes: 0 done, 1 failed (one sentence on stderr),
 * 2 usage.
 */
public final class DataCli {
    static final String USAGE = "usage: ebbtide data upload SRC azureml://datastores/NAME/paths/DEST"
            + " | data create --name N --path P --type uri_file|uri_folder [--version V] [--description D]"
            + " | data list [--name N] | datastore create -f FILE.yml | datastore list"
            + " | download JOB_ID [--output NAME] [--to DIR]";

    private final SubmitterApi api;
    private final PrintStream out;
    private final PrintStream err;

    public DataCli(SubmitterApi api, PrintStream out, PrintStream err) {
        this.api = api;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println(USAGE);
            System.exit(2);
        }
        SubmitterApi api =
                new SubmitterApi(EbbtideCli.env("EBBTIDE_SUBMITTER_URL", "http://127.0.0.1:8081"), EbbtideCli.token());
        System.exit(new DataCli(api, System.out, System.err).run(args));
    }

    public int run(String[] args) throws IOException {
        String command = args.length >= 2 && !args[0].equals("download") ? args[0] + " " + args[1] : args[0];
        Map<String, String> opts;
        try {
            opts = options(args, 2);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + " (" + USAGE + ")");
            return 2;
        }
        try {
            switch (command) {
                case "data upload" -> {
                    if (args.length != 4) {
                        return usage();
                    }
                    return upload(Path.of(args[2]), args[3]);
                }
                case "data create" -> {
                    return create(opts);
                }
                case "data list" -> {
                    return list(opts.get("--name"));
                }
                case "datastore create" -> {
                    if (!opts.containsKey("-f")) {
                        return usage();
                    }
                    JsonNode d = api.post("/datastores", Files.readString(Path.of(opts.get("-f"))), "application/yaml");
                    out.println("created datastore " + d.path("name").asText() + " ("
                            + d.path("type").asText() + ")");
                    return 0;
                }
                case "datastore list" -> {
                    for (JsonNode d : api.get("/datastores")) {
                        out.println(
                                d.path("name").asText() + "  " + d.path("type").asText() + "  " + where(d));
                    }
                    return 0;
                }
                case "download" -> {
                    if (args.length < 2 || args[1].startsWith("-")) {
                        return usage();
                    }
                    return new OutputsDownload(api, out)
                            .run(args[1], opts.get("--output"), Path.of(opts.getOrDefault("--to", args[1])));
                }
                default -> {
                    return usage();
                }
            }
        } catch (SubmitterApi.Failure e) {
            err.println(e.getMessage());
            return 1;
        } catch (java.nio.file.NoSuchFileException e) {
            err.println("no such file: " + e.getFile());
            return 1;
        } catch (InvalidSpecException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println(e.getMessage()); // the datastore module's sentences (a snapshot over its limit, …)
            return 1;
        }
    }

    private int upload(Path src, String dest) throws IOException, SubmitterApi.Failure {
        if (!(DataUri.parse(dest) instanceof DataUri.Datastore ds)) {
            throw new SubmitterApi.Failure(
                    dest + " is not a datastore path: give azureml://datastores/NAME/paths/DEST");
        }
        JsonNode r = new LocalUploads(api, out).to(src, ds);
        out.println("uploaded " + r.path("files").asInt() + " file(s), "
                + LocalUploads.human(r.path("bytes").asLong()) + " to "
                + r.path("uri").asText());
        return 0;
    }

    private int create(Map<String, String> o) throws IOException, SubmitterApi.Failure {
        for (String required : new String[] {"--name", "--path", "--type"}) {
            if (!o.containsKey(required)) {
                err.println("data create needs " + required + " (" + USAGE + ")");
                return 2;
            }
        }
        String path = o.get("--path");
        if (!DataUri.isUri(path)) { // a local file or folder: uploaded first, as az ml data create does
            path = new LocalUploads(api, out).contentAddressed("path", Path.of(path));
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("name", o.get("--name"));
        body.put("type", o.get("--type"));
        body.put("path", path);
        if (o.containsKey("--version")) {
            body.put("version", o.get("--version"));
        }
        if (o.containsKey("--description")) {
            body.put("description", o.get("--description"));
        }
        JsonNode a = api.post("/data", EventJson.mapper().writeValueAsString(body), "application/json");
        out.println("created data asset azureml:" + a.path("name").asText() + ":"
                + a.path("version").asText() + " (" + a.path("type").asText() + ", "
                + a.path("path").asText() + ")");
        return 0;
    }

    private int list(String name) throws SubmitterApi.Failure {
        JsonNode all = api.get("/data" + (name == null ? "" : "?name=" + SubmitterApi.encode(name)));
        if (all.isEmpty()) {
            out.println(name == null ? "no data assets" : "no data asset named " + name);
        }
        for (JsonNode a : all) {
            out.println(a.path("name").asText() + ":" + a.path("version").asText() + "  "
                    + a.path("type").asText() + "  " + a.path("path").asText() + "  "
                    + a.path("createdAt").asText(""));
        }
        return 0;
    }

    private static String where(JsonNode d) {
        if (d.has("path")) {
            return d.path("path").asText();
        }
        return d.path("account_name").asText() + "/" + d.path("container_name").asText() + " ("
                + d.path("credentials").asText() + ")";
    }

    private int usage() {
        err.println(USAGE);
        return 2;
    }

    /** {@code --key value} pairs after the first {@code from} arguments. */
    static Map<String, String> options(String[] args, int from) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            if (!args[i].startsWith("-")) {
                continue; // positional (data upload SRC DEST)
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            o.put(args[i], args[++i]);
        }
        return o;
    }
}
