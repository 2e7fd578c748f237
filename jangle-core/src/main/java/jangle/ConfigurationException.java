package jangle;

import java.util.List;

/** {@code build()} found missing, duplicate or malformed registrations or settings; lists every problem (CR2). */
public class ConfigurationException extends JangleException {
    private final List<String> problems;

    public ConfigurationException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigurationException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        if (problems.size() == 1) return "Invalid Jangle configuration: " + problems.get(0);
        var sb = new StringBuilder("Invalid Jangle configuration (" + problems.size() + " problems):");
        for (String p : problems) sb.append("\n  - ").append(p);
        return sb.toString();
    }
}
