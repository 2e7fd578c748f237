package jangle.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The build's traceability check (issue 15.4). Reads {@code docs/rules.md} (the rule list), the {@code @Tag("<id>")}
 * annotations on tests, {@code docs/conformance-open.txt} (rules knowingly without a test, with a reason) and the
 * README; writes {@code docs/conformance.md}; and fails, listing every problem, when
 * <ul>
 *   <li>a rule has no tagged test and no reason in the open list (so deleting the only test of a rule fails),</li>
 *   <li>a tag, or any rule-like id in code, tests or docs, is not a rule of {@code docs/rules.md},</li>
 *   <li>a tag sits on something that is not a test,</li>
 *   <li>a test's display name cites an id it does not carry as a tag,</li>
 *   <li>a README code block differs from the compiled source region it claims to show (see {@link Snippets}).</li>
 * </ul>
 * It reads sources as text, so it needs no other module's classes. A Java program rather than the former Python
 * script so that {@code ./mvnw verify} needs nothing but a JDK and Maven.
 */
public final class Conformance {
    /** The form of a rule line in docs/rules.md: {@code - **ID** statement}. */
    static final Pattern RULE_LINE = Pattern.compile("^- \\*\\*([A-Z]{1,3}\\d{1,2})\\*\\* (.+)$");
    static final Pattern ID = Pattern.compile("\\b([A-Z]{1,3})(\\d{1,2})\\b");
    /** Tokens that look like rule ids but are names: {@code T0} is the contract suites' start instant. */
    static final Set<String> NOT_RULE_IDS = Set.of("T0");
    private static final Pattern TAG = Pattern.compile("@Tag\\(\\s*\"([^\"]+)\"\\s*\\)");
    private static final Pattern DISPLAY = Pattern.compile(
            "@(?:DisplayName|ParameterizedTest)\\(\\s*(?:name\\s*=\\s*)?\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TEST_ANNOTATION = Pattern.compile(
            "@(?:Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\\b");
    private static final Pattern METHOD = Pattern.compile(
            "^\\s*(?:(?:public|protected|private|static|final|abstract)\\s+)*[\\w<>\\[\\]?, .]+\\s+(\\w+)\\s*\\(");
    private static final Pattern TYPE = Pattern.compile(
            "^\\s*(?:(?:public|protected|private|static|final|abstract|sealed|non-sealed)\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");
    private static final Pattern RANGE = Pattern.compile("\\b([A-Z]{1,3})(\\d{1,2})\\s*[-–]\\s*([A-Z]{0,3})(\\d{1,2})\\b");
    private static final Set<String> SCANNED = Set.of("java", "md", "sql", "xml", "txt", "sh", "properties");

    record Rule(String id, String group, String statement) {
    }

    /** What a run found: the problems (empty when the build may pass) and the conformance.md text. */
    record Result(List<String> problems, String markdown, int covered, int total) {
    }

    private Conformance() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Result result = check(root);
        Files.writeString(root.resolve("docs/conformance.md"), result.markdown(), StandardCharsets.UTF_8);
        if (!result.problems().isEmpty()) {
            // exec:java runs in the Maven JVM: throwing (not System.exit) fails the build with this message
            throw new IllegalStateException("conformance check failed (" + result.problems().size() + " problems):\n  "
                    + String.join("\n  ", result.problems()));
        }
        System.out.printf("docs/conformance.md: %d of %d rules have a test; the rest are listed as open%n",
                result.covered(), result.total());
    }

    static Result check(Path root) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Rule> rules = readRules(root.resolve("docs/rules.md"), problems);
        Set<String> prefixes = new TreeSet<>();
        rules.keySet().forEach(id -> prefixes.add(id.replaceAll("\\d", "")));

        Map<String, Set<String>> tests = new TreeMap<>();   // rule id -> "module: Class#method"
        for (Path file : testSources(root)) {
            scanTests(root, file, rules, tests, problems);
        }
        Map<String, String> open = readOpen(root.resolve("docs/conformance-open.txt"), rules, problems);
        for (Path file : citingFiles(root)) {
            checkCitedIds(root, file, rules, prefixes, problems);
        }
        Snippets.check(root, problems);

        int covered = 0;
        for (Rule r : rules.values()) {
            if (tests.containsKey(r.id())) {
                covered++;
            } else if (!open.containsKey(r.id())) {
                problems.add("rule " + r.id() + " has no test tagged @Tag(\"" + r.id()
                        + "\") and no reason in docs/conformance-open.txt");
            }
        }
        return new Result(problems, markdown(rules, tests, open, covered), covered, rules.size());
    }

    static Map<String, Rule> readRules(Path file, List<String> problems) throws IOException {
        Map<String, Rule> rules = new LinkedHashMap<>();
        String group = "";
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                group = line.substring(3).trim();
                continue;
            }
            Matcher m = RULE_LINE.matcher(line);
            if (m.matches() && rules.putIfAbsent(m.group(1), new Rule(m.group(1), group, m.group(2))) != null) {
                problems.add("docs/rules.md lists " + m.group(1) + " twice");
            }
        }
        if (rules.isEmpty()) problems.add("docs/rules.md lists no rules (expected lines \"- **ID** statement\")");
        return rules;
    }

    /** Test classes of every module, and the contract suites that jangle-test ships in its main sources. */
    static List<Path> testSources(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            // this module's own tests hold made-up projects in text blocks, not citations
            for (Path module : modules.filter(Files::isDirectory)
                    .filter(m -> !m.getFileName().toString().equals("conformance")).sorted().toList()) {
                for (Path dir : List.of(module.resolve("src/test/java"), module.resolve("src/main/java"))) {
                    if (!Files.isDirectory(dir)) continue;
                    if (dir.endsWith("main/java") && !module.getFileName().toString().equals("jangle-test")) continue;
                    try (Stream<Path> walk = Files.walk(dir)) {
                        walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
                    }
                }
            }
        }
        return files;
    }

    /**
     * Collects the annotation block above each declaration; a block with rule tags must belong to a test method or
     * to a class (a class tag covers the class), and a block whose display name cites ids must tag each of them.
     */
    static void scanTests(Path root, Path file, Map<String, Rule> rules, Map<String, Set<String>> tests,
                          List<String> problems) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String module = root.relativize(file).getName(0).toString();
        String where = root.relativize(file).toString();
        String currentClass = file.getFileName().toString().replace(".java", "");
        StringBuilder block = new StringBuilder();
        int blockStart = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.startsWith("@") || (blockStart >= 0 && (trimmed.startsWith("+ \"") || trimmed.startsWith("\"")
                    || !balanced(block)))) {
                if (blockStart < 0) blockStart = i;
                block.append(trimmed).append('\n');
                continue;
            }
            if (blockStart < 0) {
                Matcher t = TYPE.matcher(line);
                if (t.find() && topLevel(line)) currentClass = t.group(1);
                continue;
            }
            String annotations = block.toString().replace("\"\n+ \"", "").replace("\" +\n\"", "")
                    .replace("\" + \"", "");
            Set<String> tagged = new TreeSet<>();
            Matcher tm = TAG.matcher(annotations);
            while (tm.find()) {
                String tag = tm.group(1);
                if (!ID.matcher(tag).matches()) continue;   // not a rule tag (for example "slow")
                if (!rules.containsKey(tag)) {
                    problems.add(where + ":" + (lineOf(lines, blockStart, i, "\"" + tag + "\"") + 1) + ": @Tag(\""
                            + tag + "\") is not a rule in docs/rules.md");
                } else {
                    tagged.add(tag);
                }
            }
            Matcher type = TYPE.matcher(line);
            Matcher method = METHOD.matcher(line);
            String target = null;
            if (type.find()) {
                // tests are named by their top-level class; a nested type (a test's own records) is not a test
                if (topLevel(line)) currentClass = type.group(1);
                target = module + ": " + (topLevel(line) ? currentClass : currentClass + "." + type.group(1));
            } else if (method.find()) {
                target = module + ": " + currentClass + "#" + method.group(1);
                if (!tagged.isEmpty() && !TEST_ANNOTATION.matcher(annotations).find()) {
                    problems.add(where + ":" + (i + 1) + ": rule tags " + tagged + " on " + method.group(1)
                            + ", which is not a test");
                    tagged.clear();
                }
            }
            if (target != null) {
                for (String id : tagged) tests.computeIfAbsent(id, k -> new TreeSet<>()).add(target);
                Matcher d = DISPLAY.matcher(annotations);
                while (d.find()) {
                    for (String id : cited(d.group(1))) {
                        if (rules.containsKey(id) && !tagged.contains(id)) {
                            problems.add(where + ":" + (blockStart + 1) + ": the display name cites " + id
                                    + " but the test has no @Tag(\"" + id + "\")");
                        }
                    }
                }
            }
            block.setLength(0);
            blockStart = -1;
        }
    }

    private static boolean topLevel(String line) {
        return !line.isEmpty() && !Character.isWhitespace(line.charAt(0));
    }

    private static int lineOf(List<String> lines, int from, int to, String text) {
        for (int k = from; k < to; k++) {
            if (lines.get(k).contains(text)) return k;
        }
        return from;
    }

    private static boolean balanced(CharSequence s) {
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            }
        }
        return depth <= 0;
    }

    /** Rule-like ids a display name cites, with ranges such as "G1-G4" expanded. */
    static Set<String> cited(String name) {
        Set<String> ids = new TreeSet<>();
        Matcher m = ID.matcher(name);
        while (m.find()) ids.add(m.group());
        Matcher r = RANGE.matcher(name);
        while (r.find()) {
            String prefix = r.group(1);
            int lo = Integer.parseInt(r.group(2));
            int hi = Integer.parseInt(r.group(4));
            if ((r.group(3).isEmpty() || r.group(3).equals(prefix)) && lo < hi && hi <= lo + 40) {
                for (int n = lo; n <= hi; n++) ids.add(prefix + n);
            }
        }
        ids.removeAll(NOT_RULE_IDS);
        return ids;
    }

    static Map<String, String> readOpen(Path file, Map<String, Rule> rules, List<String> problems) throws IOException {
        Map<String, String> open = new TreeMap<>();
        if (!Files.exists(file)) return open;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#") || !line.contains(":")) continue;
            String id = line.substring(0, line.indexOf(':')).strip();
            String reason = line.substring(line.indexOf(':') + 1).strip();
            if (!rules.containsKey(id)) {
                problems.add("docs/conformance-open.txt names " + id + ", which is not a rule in docs/rules.md");
            } else if (reason.isEmpty()) {
                problems.add("docs/conformance-open.txt lists " + id + " without a reason");
            } else {
                open.put(id, reason);
            }
        }
        return open;
    }

    /** Every text file of the project that may cite rule ids: sources, SQL, docs, scripts (never build output). */
    static List<Path> citingFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> {
                        Path rel = root.relativize(p);
                        for (Path part : rel) {
                            String s = part.toString();
                            if (s.equals("target") || s.equals("node_modules") || (s.startsWith(".") && !s.equals(".ci"))) {
                                return false;
                            }
                        }
                        String name = p.getFileName().toString();
                        int dot = name.lastIndexOf('.');
                        return (dot > 0 && SCANNED.contains(name.substring(dot + 1))) || rel.startsWith(".ci");
                    })
                    .filter(p -> !root.relativize(p).toString().equals("docs/conformance.md"))
                    .filter(p -> !root.relativize(p).toString().equals("docs/rules.md"))
                    .sorted(Comparator.naturalOrder())
                    .toList();
        }
    }

    static void checkCitedIds(Path root, Path file, Map<String, Rule> rules, Set<String> prefixes,
                              List<String> problems) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = ID.matcher(lines.get(i));
            while (m.find()) {
                String id = m.group();
                if (prefixes.contains(m.group(1)) && !rules.containsKey(id) && !NOT_RULE_IDS.contains(id)) {
                    problems.add(root.relativize(file) + ":" + (i + 1) + ": cites " + id
                            + ", which docs/rules.md does not list");
                }
            }
        }
    }

    static String markdown(Map<String, Rule> rules, Map<String, Set<String>> tests, Map<String, String> open,
                           int covered) {
        StringBuilder out = new StringBuilder();
        out.append("# Conformance\n\n")
                .append("Every rule of [rules.md](rules.md) and the tests that fail when it is broken. Generated by the\n")
                .append("build (`conformance` module, `./mvnw verify`) from the tests' `@Tag(\"<rule id>\")` annotations;\n")
                .append("do not edit. A rule with no tagged test is **open**, with its reason from `conformance-open.txt`.\n")
                .append("Run the tests of one rule with `./mvnw test -Dgroups=SG7`.\n\n")
                .append(covered).append(" of ").append(rules.size()).append(" rules have at least one test.\n");
        String group = null;
        for (Rule r : rules.values()) {
            if (!r.group().equals(group)) {
                group = r.group();
                out.append("\n## ").append(group).append("\n\n| Rule | Statement | Tests |\n|---|---|---|\n");
            }
            String cell = tests.containsKey(r.id()) ? String.join("<br>", tests.get(r.id()))
                    : "**open**: " + open.getOrDefault(r.id(), "no test yet");
            out.append("| ").append(r.id()).append(" | ").append(r.statement().replace("|", "\\|"))
                    .append(" | ").append(cell.replace("|", "\\|")).append(" |\n");
        }
        return out.toString();
    }
}
