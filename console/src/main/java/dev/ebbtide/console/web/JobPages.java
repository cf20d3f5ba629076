package dev.ebbtide.console.web;

import static dev.ebbtide.console.api.Services.encode;

import dev.ebbtide.console.api.Services;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The jobs: a filtered list with a submit form, and a job's page with its states, logs per rank and outputs. */
@Path("/jobs")
@Authenticated
public class JobPages {
    /** The job states a list can be filtered by (the scheduler's names). */
    static final List<String> STATES = List.of(
            "Queued", "Preparing", "Running", "Finalizing", "CancelRequested", "Completed", "Failed", "Canceled");

    static final Set<String> TERMINAL = Set.of("Completed", "Failed", "Canceled");

    @Inject
    Services services;

    @Inject
    Callers callers;

    @Inject
    Live live;

    @Inject
    @Location("jobs.html")
    Template jobs;

    @Inject
    @Location("job.html")
    Template job;

    /** A list's filter: each null or blank = any. */
    @TemplateData
    public record Filter(String state, String cluster, String team, boolean mine) {
        String query() {
            StringBuilder q = new StringBuilder();
            add(q, "state", state);
            add(q, "cluster", cluster);
            add(q, "team", team);
            return q.isEmpty() ? "" : "?" + q;
        }

        /** The same filter as this page's own query string (for the live stream). */
        public String pageQuery() {
            String q = query();
            return mine ? (q.isEmpty() ? "?mine=true" : q + "&mine=true") : q;
        }

        private static void add(StringBuilder q, String key, String value) {
            if (value != null && !value.isBlank()) {
                q.append(q.isEmpty() ? "" : "&").append(key).append('=').append(encode(value.strip()));
            }
        }
    }

    @GET
    @Blocking
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list(
            @QueryParam("state") String state,
            @QueryParam("cluster") String cluster,
            @QueryParam("team") String team,
            @QueryParam("mine") boolean mine) {
        Caller c = callers.current();
        Filter f = new Filter(state, cluster, team, mine);
        List<String> clusterNames = services.list(c.token(), services.autoscaler() + "/clusters").stream()
                .map(v -> String.valueOf(((Map<?, ?>) v.get("spec")).get("name")))
                .toList();
        return jobs.data("caller", c)
                .data("filter", f)
                .data("states", STATES)
                .data("clusterNames", clusterNames)
                .data("jobs", rows(c, f))
                .data("error", null);
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> listEvents(
            @QueryParam("state") String state,
            @QueryParam("cluster") String cluster,
            @QueryParam("team") String team,
            @QueryParam("mine") boolean mine,
            @Context Sse sse) {
        Caller c = callers.current();
        Filter f = new Filter(state, cluster, team, mine);
        return live.stream(
                sse,
                () -> Map.of(
                        "rows",
                        jobs.getFragment("rows")
                                .instance()
                                .data("caller", c)
                                .data("jobs", rows(c, f))
                                .render()));
    }

    private List<Map<String, Object>> rows(Caller c, Filter f) {
        List<Map<String, Object>> all = services.list(c.token(), services.scheduler() + "/jobs" + f.query());
        return f.mine()
                ? all.stream()
                        .filter(j -> c.name().equals(j.get("submittedBy")))
                        .toList()
                : all;
    }

    /** Submits the YAML typed or pasted in the form, then shows the new job. */
    @POST
    @Path("/submit")
    @Blocking
    @Produces(MediaType.TEXT_HTML)
    public Response submit(@FormParam("yaml") String yaml) {
        Caller c = callers.current();
        Map<String, Object> accepted = services.write(
                c.token(), "POST", services.submitter() + "/jobs", "application/yaml", yaml == null ? "" : yaml);
        return Response.seeOther(URI.create("/jobs/" + encode(String.valueOf(accepted.get("id")))))
                .build();
    }

    @GET
    @Path("/{id}")
    @Blocking
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@PathParam("id") String id) {
        Caller c = callers.current();
        return Pages.with(job.data("caller", c).data("id", id), model(c, id));
    }

    /** The job page's live parts: {@code status} and {@code logs} (and {@code outputs} once the job has ended). */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        Caller c = callers.current();
        return live.stream(sse, () -> {
            Map<String, Object> m = model(c, id);
            Map<String, String> out = new LinkedHashMap<>();
            for (String fragment : List.of("status", "logs", "outputs")) {
                out.put(
                        fragment,
                        Pages.with(
                                        job.getFragment(fragment)
                                                .instance()
                                                .data("caller", c)
                                                .data("id", id),
                                        m)
                                .render());
            }
            return out;
        });
    }

    @POST
    @Path("/{id}/cancel")
    @Blocking
    public Response cancel(@PathParam("id") String id) {
        Caller c = callers.current();
        services.write(c.token(), "POST", services.scheduler() + "/jobs/" + encode(id) + "/cancel", "text/plain", "");
        return Response.seeOther(URI.create("/jobs/" + encode(id))).build();
    }

    /** One file of an output, streamed from the job-submitter with the caller's token. */
    @GET
    @Path("/{id}/outputs/{name}/{path: .+}")
    @Blocking
    public Response download(
            @PathParam("id") String id, @PathParam("name") String name, @PathParam("path") String path) {
        Caller c = callers.current();
        StringBuilder url = new StringBuilder(services.submitter())
                .append("/jobs/")
                .append(encode(id))
                .append("/outputs/")
                .append(encode(name));
        for (String part : path.split("/")) {
            url.append('/').append(encode(part));
        }
        Services.Download d = services.stream(c.token(), url.toString());
        StreamingOutput body = out -> {
            try (InputStream in = d.body()) {
                in.transferTo(out);
            }
        };
        Response.ResponseBuilder r = Response.ok(body, d.contentType());
        if (d.disposition() != null) {
            r.header("Content-Disposition", d.disposition());
        }
        return r.build();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> model(Caller c, String id) {
        // from the job-submitter: a job it has just accepted is NotStarted there until the scheduler has it
        Map<String, Object> j =
                new LinkedHashMap<>(services.object(c.token(), services.submitter() + "/jobs/" + encode(id)));
        for (String absent : List.of("reason", "exitCode", "team", "instanceCount")) {
            j.putIfAbsent(absent, null);
        }
        j.putIfAbsent("nodes", List.of());
        j.putIfAbsent("attempt", 0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", j);
        String state = String.valueOf(j.get("state"));
        boolean ended = TERMINAL.contains(state);
        m.put("ended", ended);
        m.put("mayCancel", !ended && c.mayCancel(String.valueOf(j.get("submittedBy"))));
        m.put("history", history(j));
        int attempt = ((Number) j.getOrDefault("attempt", 0)).intValue();
        Set<Integer> ranks = new TreeSet<>();
        for (Map<String, Object> log : (List<Map<String, Object>>) j.getOrDefault("logs", List.of())) {
            if (((Number) log.get("attempt")).intValue() == attempt) {
                ranks.add(((Number) log.get("rank")).intValue());
            }
        }
        List<Map<String, Object>> logs = new ArrayList<>();
        for (int rank : ranks) {
            String text = services.text(
                    c.token(),
                    services.scheduler() + "/jobs/" + encode(id) + "/logs?rank=" + rank + "&attempt=" + attempt);
            logs.add(Map.of("rank", rank, "text", text));
        }
        m.put("logs", logs);
        m.put("outputs", ended ? outputs(c, id) : List.of());
        return m;
    }

    /** What the scheduler tells of the job's course: submitted, started, ended (the states it passed then). */
    static List<Map<String, Object>> history(Map<String, Object> j) {
        List<Map<String, Object>> h = new ArrayList<>();
        if (j.get("submittedAt") != null) {
            h.add(Map.of(
                    "at", j.get("submittedAt"), "state", "Queued", "what", "submitted by " + j.get("submittedBy")));
        }
        if (j.get("startedAt") != null) {
            h.add(Map.of("at", j.get("startedAt"), "state", "Running", "what", "started on " + j.get("nodes")));
        }
        if (j.get("endedAt") != null) {
            Object exit = j.get("exitCode");
            h.add(Map.of(
                    "at",
                    j.get("endedAt"),
                    "state",
                    j.get("state"),
                    "what",
                    exit == null ? "ended" : "ended with exit code " + exit));
        }
        return h;
    }

    /** Each file of each output: name, path, size; empty when the job stored none. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> outputs(Caller c, String id) {
        Map<String, Object> answer;
        try {
            answer = services.object(c.token(), services.submitter() + "/jobs/" + encode(id) + "/outputs");
        } catch (Services.ApiException e) {
            return List.of(); // no outputs recorded (e.g. a job without outputs)
        }
        List<Map<String, Object>> files = new ArrayList<>();
        ((Map<String, Object>) answer.getOrDefault("outputs", Map.of())).forEach((name, v) -> {
            for (Map<String, Object> item :
                    (List<Map<String, Object>>) ((Map<String, Object>) v).getOrDefault("items", List.of())) {
                files.add(Map.of("name", name, "path", item.get("path"), "size", item.get("size")));
            }
        });
        return files;
    }
}
