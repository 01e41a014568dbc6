// What every subcommand shares: the knowledge base to use, colour, exit codes, input reading.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "knowledge.hpp"
#include "resolver.hpp"

namespace combocheck::cli {

// Documented in README.md and combocheck.1.
enum ExitCode : int {
    kExitOk = 0,
    kExitFindings = 1,   // findings at or above --fail-on
    kExitUsage = 2,      // usage error, unresolved names, unknown subject
    kExitKnowledge = 3,  // knowledge-base or internal error
};

// Thrown to stop a subcommand with an exit code after its message was printed.
struct Exit {
    int code;
};

struct GlobalOptions {
    std::string rules_dir;                // --rules: use this knowledge base instead
    std::vector<std::string> extra_dirs;  // --extra-rules: add these on top
};

// Loads the knowledge base once, on first use; on error prints every diagnostic and throws Exit.
class Session {
  public:
    explicit Session(const GlobalOptions& options) : options_(options) {}
    const KnowledgeBase& knowledge();
    const Resolver& resolver();
    const GlobalOptions& options() const { return options_; }

  private:
    const GlobalOptions& options_;
    // Loaded once and deliberately never freed: the process ends right after the subcommand,
    // and tearing down hundreds of thousands of small objects would cost about a millisecond,
    // a fifth of an interactive check. A static root keeps leak checkers quiet.
    const KnowledgeBase* kb_ = nullptr;
    std::optional<Resolver> resolver_;
};

enum class ColourChoice { automatic, always, never };
void add_colour_option(CLI::App& command, ColourChoice& choice);
// Colour only on a terminal, never with NO_COLOR set or TERM=dumb, unless forced.
bool use_colour(ColourChoice choice);

// Names from arguments; "-" reads one name per line from stdin (blank lines and # comments
// skipped). Throws Exit on unreadable or binary input.
std::vector<std::string> read_names(const std::vector<std::string>& args);

using Registration = void (*)(CLI::App& app, Session& session);
void register_check(CLI::App& app, Session& session);
void register_batch(CLI::App& app, Session& session);
void register_explain(CLI::App& app, Session& session);
void register_list(CLI::App& app, Session& session);
void register_lint(CLI::App& app, Session& session);
void register_graph(CLI::App& app, Session& session);
void register_resolve(CLI::App& app, Session& session);
void register_stats(CLI::App& app, Session& session);

}  // namespace combocheck::cli
