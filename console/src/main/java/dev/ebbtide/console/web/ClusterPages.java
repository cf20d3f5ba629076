package dev.ebbtide.console.web;

import static dev.ebbtide.console.api.Services.encode;

import dev.ebbtide.console.api.Services;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The clusters: a list, and a cluster's page with its nodes over time, queue, policy and latest decisions. */
@Path("/clusters")
@Authenticated
public class ClusterPages {
    /** Decisions shown on a cluster's page, newest first. */
    static final int DECISIONS = 10;

    @Inject
    Services services;

    @Inject
    Callers callers;

    @Inject
    Live live;

    @Inject
    @Location("clusters.html")
    Template clusters;

    @Inject
    @Location("cluster.html")
    Template cluster;

    @GET
    @Blocking
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance list() {
        Caller c = callers.current();
        return clusters.data("caller", c)
                .data("clusters", services.list(c.token(), services.autoscaler() + "/clusters"));
    }

    @GET
    @Path("/{name}")
    @Blocking
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@PathParam("name") String name) {
        Caller c = callers.current();
        return Pages.with(cluster.data("caller", c).data("name", name), model(c, name));
    }

    /** The page's live parts: {@code summary} (counts, nodes, queue, policy) and {@code decisions}. */
    @GET
    @Path("/{name}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@PathParam("name") String name, @Context Sse sse) {
        Caller c = callers.current();
        return live.stream(sse, () -> {
            Map<String, Object> m = model(c, name);
            Map<String, String> out = new LinkedHashMap<>();
            out.put("summary", fragment("summary", c, name, m));
            out.put("decisions", fragment("decisions", c, name, m));
            return out;
        });
    }

    private String fragment(String id, Caller c, String name, Map<String, Object> m) {
        return Pages.with(cluster.getFragment(id).instance().data("caller", c).data("name", name), m)
                .render();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> model(Caller c, String name) {
        String base = services.autoscaler() + "/clusters/" + encode(name);
        Map<String, Object> view = services.object(c.token(), base);
        Map<String, Object> history = services.object(c.token(), base + "/policy/history");
        // newest first, as the autoscaler keeps them
        List<Map<String, Object>> decisions = services.list(c.token(), base + "/decisions");
        Map<String, Object> counts = (Map<String, Object>) view.getOrDefault("nodeStateCounts", Map.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", view);
        m.put("spec", view.getOrDefault("spec", Map.of()));
        m.put("counts", counts);
        m.put("version", history.get("current"));
        m.put("decisions", decisions.subList(0, Math.min(DECISIONS, decisions.size())));
        m.put("nodeCount", ((Number) view.getOrDefault("currentNodeCount", 0)).intValue());
        m.put("countsData", NodeCounts.dataAttributes(counts));
        return m;
    }
}
