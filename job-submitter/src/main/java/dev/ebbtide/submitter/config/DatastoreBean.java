package dev.ebbtide.submitter.config;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;

/** {@link SubmitterConfig#datastore()} as a bean of its own, for the classes that need only the datastore group. */
public class DatastoreBean {
    @Produces
    @Dependent
    DatastoreConfig datastore(SubmitterConfig config) {
        return config.datastore();
    }
}
