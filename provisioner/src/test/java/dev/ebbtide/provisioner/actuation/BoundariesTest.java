package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Translate at the edge: the actuation core and the cloud interface know no Azure, Quarkus, Kafka or CDI, and
 * Azure's vocabulary (codes, states) is translated in AzureTranslation only. Run from the module directory.
 */
class BoundariesTest {

    static final Path MAIN = Path.of("src/main/java/dev/ebbtide/provisioner");
    static final List<String> FORBIDDEN_IMPORTS = List.of(
            "import com.azure.",
            "import io.quarkus.",
            "import jakarta.",
            "import org.apache.kafka.",
            "import io.smallrye.",
            "import org.hibernate.");
    static final List<String> AZURE_WORDS = List.of(
            "\"AllocationFailed",
            "\"allocationfailed",
            "PowerState/",
            "ProvisioningState/",
            "\"SkuNotAvailable",
            "\"OperationPreempted",
            "\"PreconditionFailed",
            "\"skunotavailable",
            "\"operationpreempted",
            "\"preconditionfailed");

    static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    @Test
    void actuationAndTheCloudInterfaceImportNoAdapterTechnology() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> files = new ArrayList<>(javaFiles(MAIN.resolve("actuation")));
        try (Stream<Path> s = Files.list(MAIN.resolve("cloud"))) {
            s.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
        }
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                if (FORBIDDEN_IMPORTS.stream().anyMatch(line::startsWith)) {
                    problems.add(f.getFileName() + ": " + line);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void azureVocabularyIsTranslatedInOnePlace() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path f : javaFiles(MAIN)) {
            if (f.getFileName().toString().equals("AzureTranslation.java")) {
                continue;
            }
            String text = Files.readString(f);
            AZURE_WORDS.stream().filter(text::contains).forEach(w -> problems.add(f.getFileName() + " uses " + w));
        }
        assertEquals(List.of(), problems);
    }
}
