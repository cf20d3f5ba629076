package dev.ebbtide.common.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command job's {@code command} as Azure ML reads it: {@code ${{inputs.<name>}}} and {@code ${{outputs.<name>}}}
 * are replaced by the input's value (a literal, or the local path of its data) and the output's local folder, as
 * written, without quoting (as Azure ML does); an optional block {@code $[[ … ]]} is kept when every input and output
 * it names has a value, and dropped whole otherwise. Pure.
 */
public final class CommandTemplate {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{\\{\\s*([^{}]*?)\\s*}}");
    private static final Pattern NAMED = Pattern.compile("(inputs|outputs)\\.([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern OPTIONAL = Pattern.compile("\\$\\[\\[(.*?)]]", Pattern.DOTALL);

    private CommandTemplate() {}

    /**
     * One {@code ${{…}}} of a command.
     *
     * @param text     as written, e.g. {@code ${{inputs.data}}}
     * @param kind     {@code inputs} or {@code outputs}; null for any other expression ({@code ${{search_space.B}}})
     * @param name     the input's or output's name; null when {@code kind} is
     * @param optional inside a {@code $[[ … ]]} block
     */
    public record Reference(String text, String kind, String name, boolean optional) {}

    /** Every {@code ${{…}}} of the command, in order. */
    public static List<Reference> references(String command) {
        List<Reference> out = new ArrayList<>();
        int last = 0;
        Matcher block = OPTIONAL.matcher(command);
        while (block.find()) {
            collect(command.substring(last, block.start()), false, out);
            collect(block.group(1), true, out);
            last = block.end();
        }
        collect(command.substring(last), false, out);
        return out;
    }

    /**
     * Why the command cannot be filled from these inputs and outputs, in one sentence, or empty: every reference
     * outside an optional block must name one of them; a reference that is not to {@code inputs.} or {@code outputs.}
     * is refused anywhere.
     */
    public static Optional<String> problem(String command, Set<String> inputs, Set<String> outputs) {
        for (Reference r : references(command)) {
            if (r.kind() == null) {
                return Optional.of("command refers to " + r.text() + ", which a command job cannot fill: use "
                        + "${{inputs.<name>}} or ${{outputs.<name>}} of a declared input or output");
            }
            Set<String> declared = r.kind().equals("inputs") ? inputs : outputs;
            if (!r.optional() && !declared.contains(r.name())) {
                String what = r.kind().equals("inputs") ? "input" : "output";
                return Optional.of("command refers to " + r.text() + " but the job declares no " + what + " '"
                        + r.name() + "': add it under " + r.kind() + ": or correct the name");
            }
        }
        return Optional.empty();
    }

    /**
     * The command with its references replaced and its optional blocks kept or dropped.
     *
     * @param inputs  input name → value (a literal as text, or the local path of the data)
     * @param outputs output name → local folder
     * @throws IllegalArgumentException with {@link #problem}'s sentence when a reference outside an optional block
     *     has no value
     */
    public static String render(String command, Map<String, String> inputs, Map<String, String> outputs) {
        StringBuilder out = new StringBuilder();
        int last = 0;
        Matcher block = OPTIONAL.matcher(command);
        while (block.find()) {
            out.append(fill(command.substring(last, block.start()), inputs, outputs));
            String inner = block.group(1);
            List<Reference> refs = new ArrayList<>();
            collect(inner, true, refs);
            if (refs.stream().allMatch(r -> valueOf(r, inputs, outputs) != null)) {
                out.append(fill(inner, inputs, outputs));
            }
            last = block.end();
        }
        out.append(fill(command.substring(last), inputs, outputs));
        return out.toString();
    }

    private static String fill(String text, Map<String, String> inputs, Map<String, String> outputs) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Reference r = reference(m, false);
            String value = valueOf(r, inputs, outputs);
            if (value == null) {
                throw new IllegalArgumentException(problem(r.text(), inputs.keySet(), outputs.keySet())
                        .orElse("command refers to " + r.text() + ", which has no value"));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String valueOf(Reference r, Map<String, String> inputs, Map<String, String> outputs) {
        if (r.kind() == null) {
            return null;
        }
        return (r.kind().equals("inputs") ? inputs : outputs).get(r.name());
    }

    private static void collect(String text, boolean optional, List<Reference> out) {
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            out.add(reference(m, optional));
        }
    }

    private static Reference reference(Matcher m, boolean optional) {
        Matcher named = NAMED.matcher(m.group(1));
        return named.matches()
                ? new Reference(m.group(), named.group(1), named.group(2), optional)
                : new Reference(m.group(), null, null, optional);
    }
}
