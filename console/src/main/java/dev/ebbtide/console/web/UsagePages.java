package dev.ebbtide.console.web;

import static dev.ebbtide.console.api.Services.encode;

import dev.ebbtide.console.api.Services;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Usage: node-hours, core- and GPU-hours and estimated cost per team, user, cluster or job (the scheduler's). */
@Path("/usage")
@Authenticated
public class UsagePages {
    static final List<String> GROUPINGS = List.of("team", "user", "cluster", "job");

    @Inject
    Services services;

    @Inject
    Callers callers;

    @Inject
    @Location("usage.html")
    Template usage;

    @GET
    @Blocking
    @Produces(MediaType.TEXT_HTML)
    @SuppressWarnings("unchecked")
    public TemplateInstance page(@QueryParam("by") String by, @QueryParam("since") String since) {
        Caller c = callers.current();
        String grouping = by == null || by.isBlank() ? "team" : by.strip();
        String window = since == null || since.isBlank() ? "30d" : since.strip();
        Map<String, Object> answer = services.object(
                c.token(), services.scheduler() + "/usage?by=" + encode(grouping) + "&since=" + encode(window));
        List<Map<String, String>> rows = new ArrayList<>();
        for (Map<String, Object> r : (List<Map<String, Object>>) answer.getOrDefault("rows", List.of())) {
            rows.add(Map.of(
                    "key", String.valueOf(r.get("key")),
                    "nodeHours", hours(r.get("nodeSeconds")),
                    "idleHours", hours(r.get("idleNodeSeconds")),
                    "coreHours", number(r.get("coreHours")),
                    "gpuHours", number(r.get("gpuHours")),
                    "cost", number(r.get("estimatedCost")) + " " + r.getOrDefault("currency", "")));
        }
        return usage.data("caller", c)
                .data("by", grouping)
                .data("since", window)
                .data("groupings", GROUPINGS)
                .data("answer", answer)
                .data("rows", rows);
    }

    private static String hours(Object seconds) {
        return seconds instanceof Number n ? String.format(Locale.ROOT, "%.2f", n.doubleValue() / 3600) : "";
    }

    private static String number(Object value) {
        return value instanceof Number n ? String.format(Locale.ROOT, "%.2f", n.doubleValue()) : "";
    }
}
