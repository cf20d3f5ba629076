package dev.ebbtide.console.web;

import static dev.ebbtide.console.api.Services.encode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.console.api.Services;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A cluster's policy: its versions with what each changed, a change form and rollback (operators only). */
@Path("/clusters/{name}/policy")
@Authenticated
public class PolicyPages {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Services services;

    @Inject
    Callers callers;

    @Inject
    @Location("policy.html")
    Template policy;

    @Inject
    @Location("whatif.html")
    Template whatIf;

    @GET
    @Blocking
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@PathParam("name") String name) {
        Caller c = callers.current();
        String base = services.autoscaler() + "/clusters/" + encode(name);
        return policy.data("caller", c)
                .data("name", name)
                .data("cluster", services.object(c.token(), base))
                .data("history", services.object(c.token(), base + "/policy/history"));
    }

    /**
     * What-if as a chart: the cluster's recorded jobs since {@code since} replayed with the proposed idle time, beside
     * the current setting and the fixed-idle frontier ({@link WhatIfChart#FRONTIER_IDLE_S}); each point one
     * {@code POST /clusters/{name}/what-if} of the autoscaler, which changes nothing.
     */
    @GET
    @Path("/what-if")
    @Blocking
    @Produces(MediaType.TEXT_HTML)
    @SuppressWarnings("unchecked")
    public TemplateInstance whatIf(
            @PathParam("name") String name, @QueryParam("idle") Long idle, @QueryParam("since") String since)
            throws Exception {
        Caller c = callers.current();
        String base = services.autoscaler() + "/clusters/" + encode(name);
        Map<String, Object> cluster = services.object(c.token(), base);
        long current =
                ((Number) ((Map<String, Object>) cluster.get("spec")).get("idleTimeBeforeScaleDown")).longValue();
        long proposedIdle = idle == null ? current : idle;
        String window = since == null || since.isBlank() ? "24h" : since.strip();
        String url = base + "/what-if?since=" + encode(window);
        Map<String, Object> answer = ask(c, url, proposedIdle);
        List<WhatIfChart.Point> frontier = new ArrayList<>();
        for (long s : WhatIfChart.FRONTIER_IDLE_S) {
            frontier.add(point(s, (Map<String, Object>) ask(c, url, s).get("proposed")));
        }
        WhatIfChart.Point now = point(current, (Map<String, Object>) answer.get("current"));
        WhatIfChart.Point proposed = point(proposedIdle, (Map<String, Object>) answer.get("proposed"));
        return whatIf.data("caller", c)
                .data("name", name)
                .data("since", window)
                .data("idle", proposedIdle)
                .data("answer", answer)
                .data("frontier", frontier)
                .data("now", now)
                .data("proposed", proposed)
                .data("chart", JSON.writeValueAsString(WhatIfChart.of(frontier, now, proposed)));
    }

    private Map<String, Object> ask(Caller c, String url, long idle) throws Exception {
        return services.write(
                c.token(),
                "POST",
                url,
                "application/json",
                JSON.writeValueAsString(Map.of("idle_time_before_scale_down", idle)));
    }

    private static WhatIfChart.Point point(long idle, Map<String, Object> side) {
        return new WhatIfChart.Point(
                idle, ((Number) side.get("nodeHours")).doubleValue(), ((Number) side.get("meanWaitS")).doubleValue());
    }

    /** Changes the settings given (blank = unchanged) as a new version. */
    @POST
    @Blocking
    public Response change(
            @PathParam("name") String name,
            @FormParam("idle") String idle,
            @FormParam("min") String min,
            @FormParam("max") String max,
            @FormParam("reason") String reason)
            throws Exception {
        Caller c = callers.current();
        Map<String, Object> body = new LinkedHashMap<>();
        number(body, "idle_time_before_scale_down", idle);
        number(body, "min_instances", min);
        number(body, "max_instances", max);
        if (reason != null && !reason.isBlank()) {
            body.put("reason", reason.strip());
        }
        services.write(
                c.token(),
                "PUT",
                services.autoscaler() + "/clusters/" + encode(name) + "/policy",
                "application/json",
                JSON.writeValueAsString(body));
        return Response.seeOther(URI.create("/clusters/" + encode(name) + "/policy"))
                .build();
    }

    /** Restores version {@code version}'s settings as a new version. */
    @POST
    @Path("/rollback")
    @Blocking
    public Response rollback(
            @PathParam("name") String name, @FormParam("version") int version, @FormParam("reason") String reason)
            throws Exception {
        Caller c = callers.current();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version);
        if (reason != null && !reason.isBlank()) {
            body.put("reason", reason.strip());
        }
        services.write(
                c.token(),
                "POST",
                services.autoscaler() + "/clusters/" + encode(name) + "/policy/rollback",
                "application/json",
                JSON.writeValueAsString(body));
        return Response.seeOther(URI.create("/clusters/" + encode(name) + "/policy"))
                .build();
    }

    private static void number(Map<String, Object> body, String field, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        try {
            body.put(field, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            throw new Services.ApiException(400, field + " must be a whole number, got '" + value.strip() + "'");
        }
    }
}
