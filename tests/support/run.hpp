// Runs a program with arguments and optional stdin; captures stdout, stderr and the exit code.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace combocheck::testing {

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

RunResult run(const std::string& program, const std::vector<std::string>& args,
              const std::string& input = "", const std::map<std::string, std::string>& env = {});

}  // namespace combocheck::testing
