package dev.ebbtide.console.web;

import io.quarkus.qute.TemplateInstance;
import java.util.Map;

/** Small helpers shared by the pages. */
final class Pages {
    private Pages() {}

    /** The template with every entry of {@code model} as data. */
    static TemplateInstance with(TemplateInstance t, Map<String, Object> model) {
        model.forEach(t::data);
        return t;
    }
}
