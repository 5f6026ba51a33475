// Runs a program (the built `probity`, or a validator) as a child process and captures its
// exit code, stdout and stderr, for tests of the command-line contract.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace probity::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `argv` (argv[0] is the program path) in `directory` if not empty, with stdin from
// `stdin_path` (default /dev/null). Output goes through temporary files, so large outputs
// cannot dead-lock a pipe.
inline CommandResult RunCommand(const std::vector<std::string>& argv,
                                const std::string& directory = "",
                                const std::string& stdin_path = "/dev/null") {
  static int counter = 0;
  std::string base = std::string(::testing::TempDir()) + "/probity_run_" +
                     std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string out_path = base + ".out";
  std::string err_path = base + ".err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> args = argv;
  if (!directory.empty()) {
    // posix_spawn has no portable chdir action in glibc 2.36's API surface; use a shell.
    std::string command = "cd '" + directory + "' && exec";
    for (const std::string& a : argv) command += " '" + a + "'";
    args = {"/bin/sh", "-c", command};
  }
  std::vector<char*> c_args;
  for (std::string& a : args) c_args.push_back(a.data());
  c_args.push_back(nullptr);
  pid_t pid = 0;
  CommandResult result;
  if (posix_spawn(&pid, c_args[0], &actions, nullptr, c_args.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return result;
}

#ifdef PROBITY_BINARY
// The probity binary under test (set by CMake for the suites that run it).
inline std::string ProbityBinary() { return PROBITY_BINARY; }

inline CommandResult RunProbity(std::vector<std::string> args, const std::string& directory = "") {
  args.insert(args.begin(), ProbityBinary());
  return RunCommand(args, directory);
}
#endif

}  // namespace probity::testing
