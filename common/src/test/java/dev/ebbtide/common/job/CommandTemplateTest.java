package dev.ebbtide.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandTemplateTest {
    private static final Map<String, String> INPUTS =
            Map.of("data", "/mnt/in/data", "lr", "0.01", "name", "hello world", "dollar", "$HOME\\x");
    private static final Map<String, String> OUTPUTS = Map.of("model", "/mnt/out/model");

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "no references | python train.py | python train.py",
                "input and output | python t.py --data ${{inputs.data}} --out ${{outputs.model}} | python t.py --data /mnt/in/data --out /mnt/out/model",
                "spaces inside braces | echo ${{ inputs.lr }} | echo 0.01",
                "same input twice | ${{inputs.lr}}${{inputs.lr}} | 0.010.01",
                "value written as is, unquoted | echo ${{inputs.name}} | echo hello world",
                "dollar and backslash kept literally | echo ${{inputs.dollar}} | echo $HOME\\x",
                "a folder below an input | ls ${{inputs.data}}/iris.csv | ls /mnt/in/data/iris.csv",
                "optional block kept | train $[[--lr ${{inputs.lr}}]] | train --lr 0.01",
                "optional block dropped | train $[[--seed ${{inputs.seed}}]] --x | train  --x",
                "optional block with a present and an absent input dropped | a $[[--lr ${{inputs.lr}} --seed ${{inputs.seed}}]]b | a b",
                "two optional blocks | a$[[ -l ${{inputs.lr}}]]$[[ -s ${{inputs.seed}}]] | a -l 0.01",
                "optional block with no reference kept | a $[[--verbose]] | a --verbose",
                "shell variables untouched | echo ${HOME} $AZUREML_RUN_ID | echo ${HOME} $AZUREML_RUN_ID",
                "unclosed reference left alone | echo ${{inputs.lr | echo ${{inputs.lr",
            })
    void rendersReferencesAndOptionalBlocks(String row, String command, String expected) {
        assertEquals(expected, CommandTemplate.render(command, INPUTS, OUTPUTS));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "absent input | echo ${{inputs.seed}} | command refers to ${{inputs.seed}} but the job declares no input 'seed': add it under inputs: or correct the name",
                "absent output | echo > ${{outputs.log}} | command refers to ${{outputs.log}} but the job declares no output 'log': add it under outputs: or correct the name",
                "sweep expression | --b ${{search_space.B}} | command refers to ${{search_space.B}}, which a command job cannot fill: use ${{inputs.<name>}} or ${{outputs.<name>}} of a declared input or output",
            })
    void aReferenceWithoutValueIsRefusedWithASentence(String row, String command, String expected) {
        assertEquals(
                expected,
                assertThrows(IllegalArgumentException.class, () -> CommandTemplate.render(command, INPUTS, OUTPUTS))
                        .getMessage());
        assertEquals(Optional.of(expected), CommandTemplate.problem(command, INPUTS.keySet(), OUTPUTS.keySet()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "declared | ls ${{inputs.data}} > ${{outputs.model}}/x | true",
                "undeclared inside an optional block | ls $[[${{inputs.nope}}]] | true",
                "sweep expression inside an optional block | ls $[[${{search_space.x}}]] | false",
            })
    void problemFindsWhatRenderWouldRefuse(String row, String command, boolean fine) {
        assertEquals(
                fine,
                CommandTemplate.problem(command, Set.of("data"), Set.of("model"))
                        .isEmpty());
    }
}
