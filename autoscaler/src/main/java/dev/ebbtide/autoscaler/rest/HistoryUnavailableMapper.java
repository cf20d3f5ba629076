package dev.ebbtide.autoscaler.rest;

import dev.ebbtide.autoscaler.policy.PolicyBook;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A policy change while the versions cannot be read from Kafka: 503 with the sentence; nothing was changed. */
@Provider
public class HistoryUnavailableMapper implements ExceptionMapper<PolicyBook.HistoryUnavailable> {
    @Override
    public Response toResponse(PolicyBook.HistoryUnavailable e) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .type(MediaType.APPLICATION_JSON)
                .entity(new ClusterResource.ErrorBody(e.getMessage()))
                .build();
    }
}
