# A modem on a pseudo-terminal for the AT port test: prints the slave's
# path, then answers each command (up to CR) from the JSON table in argv[1]
# with the given bytes; unknown commands get ERROR, "HANG" answers nothing.
import json, os, pty, sys, tty

answers = json.loads(sys.argv[1])
master, slave = pty.openpty()
tty.setraw(slave)
print(os.ttyname(slave), flush=True)
buf = b''
while True:
    try:
        data = os.read(master, 4096)
    except OSError:
        break
    if not data:
        break
    buf += data
    while b'\r' in buf:
        line, buf = buf.split(b'\r', 1)
        cmd = line.strip(b'\n').decode('latin1')
        if cmd == '':
            continue
        reply = answers.get(cmd, '\r\nERROR\r\n')
        if reply != 'HANG':
            os.write(master, reply.encode('latin1'))
