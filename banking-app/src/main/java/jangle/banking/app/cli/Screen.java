package jangle.banking.app.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The terminal's line I/O (T1, T6, T7). Reads one line at a time, trimmed, from a plain reader, so a TTY and piped
 * stdin behave the same. Without a TTY the answer read is echoed after its prompt, so the output of a piped session
 * is what a person would have seen on the screen; with a TTY the terminal itself echoes. Colour (red refusals) only
 * when {@code colour} is true, which the caller decides from the TTY and {@code --no-color}/{@code NO_COLOR}.
 */
final class Screen {
    private static final String RED = "\u001b[31m";
    private static final String RESET = "\u001b[0m";

    /** End of input at a prompt: the terminal quits (T6). */
    static final class EndOfInput extends RuntimeException {
        EndOfInput() {
            super("end of input", null, false, false);
        }
    }

    private final BufferedReader in;
    private final PrintStream out;
    private final boolean colour;
    private final boolean echo;
    private final int width;

    Screen(BufferedReader in, PrintStream out, boolean colour, boolean echo, int width) {
        this.in = in;
        this.out = out;
        this.colour = colour;
        this.echo = echo;
        this.width = width;
    }

    int width() {
        return width;
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    void lines(List<String> lines) {
        lines.forEach(out::println);
        out.flush();
    }

    void blank() {
        line("");
    }

    /** A refusal or error, red on a colour terminal (T3). */
    void error(String text) {
        line(colour ? RED + text + RESET : text);
    }

    /**
     * Prints {@code prompt} (no newline), reads one line and returns it trimmed.
     *
     * @throws EndOfInput at end of input
     */
    String ask(String prompt) {
        out.print(prompt);
        out.flush();
        String answer;
        try {
            answer = in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the terminal's input", e);
        }
        if (answer == null) {
            line(""); // so what follows starts on its own line
            throw new EndOfInput();
        }
        if (echo) line(answer);
        return answer.strip();
    }

    /** T4: after every action. */
    void pause() {
        ask("Enter to continue...");
    }

    /**
     * A menu (T2): {@code Select an option...}, numbered labels, then the prompt until a listed number is given.
     *
     * @return the chosen option, 1-based
     */
    int menu(List<String> labels) {
        line("Select an option...");
        for (int i = 0; i < labels.size(); i++) line((i + 1) + ") " + labels.get(i));
        while (true) {
            String answer = ask("Select an option: ");
            int choice = parseIndex(answer, labels.size());
            if (choice > 0) return choice;
            error("Valid options are 1 to " + labels.size() + ".");
        }
    }

    /** The 1-based number in {@code text} when it is between 1 and {@code n}, else 0. */
    static int parseIndex(String text, int n) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) return 0;
        int value = Integer.parseInt(text);
        return value >= 1 && value <= n ? value : 0;
    }
}
