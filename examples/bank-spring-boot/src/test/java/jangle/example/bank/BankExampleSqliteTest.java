package jangle.example.bank;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The example on a SQLite file (the default store of application.properties, moved to a fresh temporary file). */
@SpringBootTest
@AutoConfigureMockMvc
class BankExampleSqliteTest extends BankExampleContract {
    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("bank-spring-boot");
        registry.add("jangle.sqlite.path", () -> dir.resolve("bank.db").toString());
    }
}
