package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IgnoreRulesTest {
    @ParameterizedTest(name = "[{index}] {0} vs {1} (dir={2}) -> {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "*.pyc                | a.pyc              | false | true",
                "*.pyc                | src/deep/a.pyc     | false | true",
                "*.pyc                | a.py               | false | false",
                "# comment            | # comment          | false | false",
                "data/                | data               | true  | true",
                "data/                | data               | false | false",
                "data/                | src/data           | true  | true",
                "/data                | data               | true  | true",
                "/data                | src/data           | true  | false",
                "src/*.txt            | src/a.txt          | false | true",
                "src/*.txt            | src/x/a.txt        | false | false",
                "src/*.txt            | other/src/a.txt    | false | false",
                "**/logs              | logs               | true  | true",
                "**/logs              | a/b/logs           | true  | true",
                "out/**               | out/a/b.bin        | false | true",
                "a/**/z               | a/z                | false | true",
                "a/**/z               | a/b/c/z            | false | true",
                "a/**/z               | b/a/z              | false | false",
                "file?.csv            | file1.csv          | false | true",
                "file?.csv            | file10.csv         | false | false",
                "[ab].txt             | b.txt              | false | true",
                "[!ab].txt            | b.txt              | false | false",
                "*.log\\n!keep.log    | keep.log           | false | false",
                "*.log\\n!keep.log    | other.log          | false | true",
                "!keep.log\\n*.log    | keep.log           | false | true",
                "\\#hash              | #hash              | false | true",
                "'  '                 | x                  | false | false",
            })
    void rules(String ignoreFile, String path, boolean directory, boolean ignored) {
        IgnoreRules rules = IgnoreRules.parse(ignoreFile.replace("\\n", "\n"));
        assertEquals(ignored, rules.ignored(path, directory));
    }
}
