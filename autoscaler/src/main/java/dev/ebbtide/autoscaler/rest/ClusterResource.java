package dev.ebbtide.autoscaler.rest;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import dev.ebbtide.autoscaler.loop.Autoscaler;
import dev.ebbtide.autoscaler.loop.ClusterLoader;
import dev.ebbtide.autoscaler.loop.ClusterState;
import dev.ebbtide.autoscaler.loop.OwnedClusters;
import dev.ebbtide.autoscaler.policy.PolicyBook;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.azureml.InvalidSpecException;
import dev.ebbtide.common.events.PolicyHistory;
import dev.ebbtide.common.events.PolicyVersion;
import dev.ebbtide.common.validation.UnknownFields;
import dev.ebbtide.core.scaling.Policies;
import dev.ebbtide.core.scaling.ScalingDecision;
import dev.ebbtide.messaging.auth.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Ops API: clusters, their policies (changeable at runtime), dry runs and the decisions taken with their reasons.
 * Every role reads (a dry run changes nothing); only operators define clusters, change policies and roll them back.
 * Every change is a policy version with its author (the token's principal) and reason.
 */
@Path("/clusters")
@RolesAllowed({Roles.VIEWER, Roles.SUBMITTER, Roles.OPERATOR})
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {
    @Inject
    Autoscaler autoscaler;

    @Inject
    ClusterLoader loader;

    @Inject
    PolicyBook book;

    @Inject
    SecurityIdentity identity;

    @Inject
    OwnedClusters owned;

    /** Fields that may change after creation (Azure ML's rule); null = unchanged. Any other field is refused. */
    public record PolicyChange(
            Integer min_instances,
            Integer max_instances,
            Long idle_time_before_scale_down,
            String policy,
            String reason,
            @JsonAnySetter @Schema(hidden = true) Map<String, Object> unknown) {
        static final List<String> FIELDS =
                List.of("min_instances", "max_instances", "idle_time_before_scale_down", "policy", "reason");
    }

    /** The longest reason kept with a version (the whole history is one Kafka record). */
    static final int MAX_REASON = 500;

    /** Body of a rollback: the version to restore, and an optional reason. */
    public record Rollback(
            Integer version,
            String reason,
            @JsonAnySetter @Schema(hidden = true) Map<String, Object> unknown) {}

    /** A cluster's policy versions, newest first, and the version in force. */
    public record History(String cluster, int current, List<PolicyVersion> versions) {}

    @GET
    public List<ClusterView> list() {
        return autoscaler.clusters().stream().map(this::view).toList();
    }

    @GET
    @Path("/{name}")
    public ClusterView get(@PathParam("name") String name) {
        return view(find(name));
    }

    private ClusterView view(ClusterState s) {
        return ClusterView.of(s, owned.decides(s.spec().name()), owned.instance());
    }

    /** Creates a cluster from an Azure ML {@code type: amlcompute} document (YAML or JSON). */
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    public Response create(String document) {
        ClusterSpec spec;
        try {
            spec = AzureMlYaml.parseCluster(document);
        } catch (InvalidSpecException e) {
            throw new BadRequestException(e.getMessage());
        }
        if (autoscaler.cluster(spec.name()).isPresent()) {
            return Response.status(Response.Status.CONFLICT)
                    .entity(new ErrorBody("cluster '" + spec.name() + "' already exists; change it with PUT /clusters/"
                            + spec.name() + "/policy"))
                    .build();
        }
        loader.define(spec, null, Roles.principal(identity), null);
        return Response.status(Response.Status.CREATED).entity(get(spec.name())).build();
    }

    /** Changes min, max, idle time or the policy at runtime. */
    @PUT
    @Path("/{name}/policy")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    public ClusterView change(@PathParam("name") String name, PolicyChange change) {
        ClusterState state = find(name);
        if (!state.spec().scaled()) {
            throw new BadRequestException("'" + name + "' is " + state.spec().type() + " compute, which Ebbtide never "
                    + "scales: it has no min, max, idle time or policy to change");
        }
        ClusterSpec changed = apply(state.spec(), change);
        checkReason(change.reason());
        loader.define(
                changed,
                change.policy() != null ? change.policy() : state.policy(),
                Roles.principal(identity),
                change.reason());
        return get(name);
    }

    /** The cluster's policy versions (the last {@value PolicyHistory#KEPT}), newest first. */
    @GET
    @Path("/{name}/policy/history")
    public History history(@PathParam("name") String name) {
        find(name);
        List<PolicyVersion> versions =
                new ArrayList<>(book.history(name).map(PolicyHistory::versions).orElse(List.of()));
        Collections.reverse(versions);
        return new History(name, book.currentVersion(name), versions);
    }

    /** Restores an earlier version's settings as a new version. */
    @POST
    @Path("/{name}/policy/rollback")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    public PolicyVersion rollback(@PathParam("name") String name, Rollback body) {
        ClusterState state = find(name);
        if (body == null || body.version() == null) {
            throw new BadRequestException("give the version to restore, e.g. {\"version\": 3}");
        }
        if (body.unknown() != null) {
            UnknownFields.problem(body.unknown().keySet(), List.of("version", "reason"))
                    .ifPresent(p -> {
                        throw new BadRequestException(p);
                    });
        }
        checkReason(body.reason());
        try {
            return loader.rollback(state.spec(), body.version(), Roles.principal(identity), body.reason());
        } catch (IllegalArgumentException e) {
            throw new NotFoundException(e.getMessage());
        }
    }

    /** What the policy would decide now with the proposed change, without acting on it. */
    @POST
    @Path("/{name}/dry-run")
    @Consumes(MediaType.APPLICATION_JSON)
    public ScalingDecision dryRun(@PathParam("name") String name, PolicyChange change) {
        ClusterState state = find(name);
        ClusterSpec changed = change == null ? state.spec() : apply(state.spec(), change);
        return autoscaler
                .dryRun(name, changed, change == null ? null : change.policy())
                .orElseThrow();
    }

    @GET
    @Path("/{name}/decisions")
    public List<ClusterState.DecisionRecord> decisions(@PathParam("name") String name) {
        return find(name).history();
    }

    private ClusterState find(String name) {
        return autoscaler.cluster(name).orElseThrow(() -> new NotFoundException("no cluster '" + name + "'"));
    }

    private static void checkReason(String reason) {
        if (reason != null && reason.length() > MAX_REASON) {
            throw new BadRequestException("reason is at most " + MAX_REASON + " characters, got " + reason.length());
        }
    }

    static ClusterSpec apply(ClusterSpec spec, PolicyChange change) {
        if (change.unknown() != null) {
            UnknownFields.problem(change.unknown().keySet(), PolicyChange.FIELDS)
                    .ifPresent(p -> {
                        throw new BadRequestException(p);
                    });
        }
        if (change.policy() != null && !Policies.names().contains(change.policy())) {
            throw new BadRequestException("unknown policy '" + change.policy() + "'; known: " + Policies.names());
        }
        try {
            return spec.withScaleSettings(
                    change.min_instances() != null ? change.min_instances() : spec.minInstances(),
                    change.max_instances() != null ? change.max_instances() : spec.maxInstances(),
                    change.idle_time_before_scale_down() != null
                            ? change.idle_time_before_scale_down()
                            : spec.idleTimeBeforeScaleDown());
        } catch (InvalidSpecException e) {
            throw new BadRequestException(e.getMessage());
        }
    }

    /** A JSON error body. */
    public record ErrorBody(String error) {}
}
