/** modemflow's version, as packaged (package.json and openwrt/Makefile agree; a test checks). */
export const MODEMFLOW_VERSION = '0.2.0';
