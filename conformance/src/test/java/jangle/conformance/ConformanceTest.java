package jangle.conformance;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The check on a small made-up project: each way of breaking traceability must be reported. */
class ConformanceTest {
    @TempDir
    Path root;

    @BeforeEach
    void project() throws IOException {
        write("docs/rules.md", """
                # Rules
                ## Group one
                - **QA1** the first rule.
                - **QA2** the second rule.
                """);
        write("mod/src/test/java/x/FooTest.java", """
                package x;
                class FooTest {
                    @Test
                    @Tag("QA1")
                    @DisplayName("QA1: first")
                    void first() {
                    }

                    @ParameterizedTest(name = "QA2 "
                            + "case {0}")
                    @Tag("QA2")
                    @ValueSource(ints = {1, 2})
                    void second(int n) {
                    }
                }
                """);
    }

    private void write(String path, String text) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    @DisplayName("a project whose rules all have tagged tests passes, and conformance.md lists the tests")
    void passes() throws IOException {
        Conformance.Result r = Conformance.check(root);
        assertThat(r.problems()).isEmpty();
        assertThat(r.covered()).isEqualTo(2);
        assertThat(r.markdown()).contains("| QA1 | the first rule. | mod: FooTest#first |")
                .contains("| QA2 | the second rule. | mod: FooTest#second |");
    }

    @Test
    @DisplayName("deleting the only test of a rule fails, unless the open list gives a reason")
    void deletedTest() throws IOException {
        String text = Files.readString(root.resolve("mod/src/test/java/x/FooTest.java"));
        write("mod/src/test/java/x/FooTest.java", text.replace("""
                    @Test
                    @Tag("QA1")
                    @DisplayName("QA1: first")
                    void first() {
                    }
                """, ""));
        assertThat(Conformance.check(root).problems())
                .containsExactly("rule QA1 has no test tagged @Tag(\"QA1\") and no reason in docs/conformance-open.txt");
        write("docs/conformance-open.txt", "# reasons\nQA1: cannot be tested in code\n");
        Conformance.Result r = Conformance.check(root);
        assertThat(r.problems()).isEmpty();
        assertThat(r.markdown()).contains("| QA1 | the first rule. | **open**: cannot be tested in code |");
    }

    @Test
    @DisplayName("a tag or a cited id that docs/rules.md does not list fails, naming file and line")
    void unknownIds() throws IOException {
        String text = Files.readString(root.resolve("mod/src/test/java/x/FooTest.java"));
        write("mod/src/test/java/x/FooTest.java", text.replace("@Tag(\"QA2\")", "@Tag(\"QA2\")\n    @Tag(\"QA9\")"));
        write("mod/src/main/java/x/Foo.java", "package x;\n/** Implements QA1 and QA7. */\nclass Foo {}\n");
        write("docs/open.txt", "QA8: nothing\n");
        assertThat(Conformance.check(root).problems()).containsExactlyInAnyOrder(
                "mod/src/test/java/x/FooTest.java:12: @Tag(\"QA9\") is not a rule in docs/rules.md",
                "mod/src/main/java/x/Foo.java:2: cites QA7, which docs/rules.md does not list",
                "docs/open.txt:1: cites QA8, which docs/rules.md does not list",
                "mod/src/test/java/x/FooTest.java:12: cites QA9, which docs/rules.md does not list");
    }

    @Test
    @DisplayName("a rule tag on a method that is not a test, or a display-name citation without its tag, fails")
    void tagsMustSitOnTests() throws IOException {
        String text = Files.readString(root.resolve("mod/src/test/java/x/FooTest.java"));
        write("mod/src/test/java/x/FooTest.java", text
                .replace("    @Test\n    @Tag(\"QA1\")", "    @Tag(\"QA1\")")
                .replace("    @Tag(\"QA2\")\n", ""));
        assertThat(Conformance.check(root).problems()).contains(
                "mod/src/test/java/x/FooTest.java:5: rule tags [QA1] on first, which is not a test",
                "mod/src/test/java/x/FooTest.java:8: the display name cites QA2 but the test has no @Tag(\"QA2\")",
                "rule QA1 has no test tagged @Tag(\"QA1\") and no reason in docs/conformance-open.txt");
    }

    @Test
    @DisplayName("a README java block must carry a snippet marker and equal the marked source regions")
    void readmeSnippets() throws IOException {
        write("mod/src/test/java/x/Snip.java", """
                class Snip {
                    // @start region="a"
                    int one() {
                        return 1;
                    }
                    // @end region="a"
                    void body() {
                        // @start region="b"
                        int two = 2;
                        // @end region="b"
                    }
                }
                """);
        String good = "<!-- snippet: mod/src/test/java/x/Snip.java#a,b -->\n```java\nint one() {\n    return 1;\n}\n\n"
                + "int two = 2;\n```\n";
        write("README.md", "# Title\n\n" + good);
        assertThat(Conformance.check(root).problems()).isEmpty();

        write("README.md", "# Title\n\n" + good.replace("return 1;", "return 2;"));
        assertThat(Conformance.check(root).problems()).containsExactly("README.md:4: the java block differs from "
                + "mod/src/test/java/x/Snip.java#a,b (first difference at block line 2); copy the regions into the README");

        write("README.md", "# Title\n\n```java\nint x;\n```\n");
        assertThat(Conformance.check(root).problems()).singleElement().asString()
                .startsWith("README.md:3: a java block without a <!-- snippet: file#region --> marker");
    }
}
