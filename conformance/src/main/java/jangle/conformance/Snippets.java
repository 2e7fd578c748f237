package jangle.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the README's Java code compiled: every {@code ```java} block must directly follow a marker
 * {@code <!-- snippet: path/to/Source.java#region1,region2 -->} and equal those regions of that source, each taken
 * between {@code // @start region="name"} and {@code // @end region="name"} (the markers of javadoc's
 * {@code {@snippet}}), stripped of their common indentation and joined by one blank line. The source is a test that
 * compiles and runs the code, so a README example cannot rot.
 */
final class Snippets {
    private static final Pattern MARKER = Pattern.compile("^<!-- snippet: (\\S+)#(\\S+) -->$");

    private Snippets() {
    }

    static void check(Path root, List<String> problems) throws IOException {
        Path readme = root.resolve("README.md");
        if (!Files.exists(readme)) return;
        List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) continue;
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).strip().equals("```")) end++;
            List<String> shown = lines.subList(i + 1, Math.min(end, lines.size()));
            Matcher m = i > 0 ? MARKER.matcher(lines.get(i - 1).strip()) : null;
            if (m == null || !m.matches()) {
                problems.add("README.md:" + (i + 1) + ": a java block without a <!-- snippet: file#region --> marker"
                        + " on the line above (README code must come from compiled sources)");
            } else {
                List<String> expected = expected(root, m.group(1), m.group(2).split(","), problems);
                if (expected != null && !expected.equals(shown)) {
                    problems.add("README.md:" + (i + 1) + ": the java block differs from " + m.group(1) + "#"
                            + m.group(2) + " (first difference at block line " + (firstDifference(expected, shown) + 1)
                            + "); copy the regions into the README");
                }
            }
            i = end;
        }
    }

    static List<String> expected(Path root, String source, String[] regions, List<String> problems) throws IOException {
        Path file = root.resolve(source);
        if (!Files.exists(file)) {
            problems.add("README.md cites " + source + ", which does not exist");
            return null;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String region : regions) {
            int start = indexOf(lines, "// @start region=\"" + region + "\"", 0);
            int stop = start < 0 ? -1 : indexOf(lines, "// @end region=\"" + region + "\"", start);
            if (stop < 0) {
                problems.add(source + " has no complete region \"" + region + "\" for the README");
                return null;
            }
            if (!out.isEmpty()) out.add("");
            out.addAll(dedent(lines.subList(start + 1, stop)));
        }
        return out;
    }

    private static int indexOf(List<String> lines, String marker, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) return i;
        }
        return -1;
    }

    static List<String> dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }

    private static int firstDifference(List<String> a, List<String> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) i++;
        return i;
    }
}
