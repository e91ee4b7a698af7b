// Every CLI command group, in help order. Adding a group is adding one file and one line here.
// Registration only declares commands; each action lazy-imports its implementation.
import type { Command } from "commander";
import { registerGatewayCommands } from "./gateway.js";
import { registerConfigCommands } from "./config.js";
import { registerAgentCommands } from "./agent.js";
import { registerApprovalCommands } from "./approvals.js";
import { registerCronCommands } from "./cron.js";
import { registerSandboxCommands } from "./sandbox.js";
import { registerChannelCommands } from "./channels.js";
import { registerDeviceCommands } from "./devices.js";
import { registerNodeCommands } from "./nodes.js";
import { registerSecurityCommands } from "./security.js";
import { registerMemoryCommands } from "./memory.js";
import { registerPluginCommands } from "./plugins.js";
import { registerSkillCommands } from "./skills.js";
import { registerOnboardCommands } from "./onboard.js";
import { registerConfigureCommands } from "./configure.js";
import { registerDoctorCommands } from "./doctor.js";
import { registerTuiCommands } from "./tui.js";
import { registerDailyCommands } from "./daily.js";
import { registerLogCommands } from "./logs.js";
import { registerModelCommands } from "./models.js";
import { registerImportCommands } from "./import.js";

export const commandGroups: Array<(program: Command) => void> = [registerOnboardCommands, registerConfigureCommands, registerImportCommands, registerDoctorCommands, registerGatewayCommands, registerDailyCommands, registerLogCommands, registerModelCommands, registerAgentCommands, registerTuiCommands, registerApprovalCommands, registerCronCommands, registerSandboxCommands, registerChannelCommands, registerDeviceCommands, registerNodeCommands, registerSecurityCommands, registerMemoryCommands, registerPluginCommands, registerSkillCommands, registerConfigCommands];
