# Exercises PyNUT (python3-nut) against one upsd and prints every result,
# so that runs against NUT's upsd and sysnut's can be compared.
import sys
import PyNUT

host, port = sys.argv[1], int(sys.argv[2])


def show(label, fn):
    try:
        r = fn()
        if isinstance(r, dict):
            r = sorted(r.items())
        print(label, "->", repr(r))
    except Exception as e:  # PyNUT raises PyNUTError with the server's reply
        print(label, "!!", type(e).__name__, repr(str(e)))


anon = PyNUT.PyNUTClient(host=host, port=port)
show("GetUPSList", anon.GetUPSList)
show("GetUPSVars test", lambda: anon.GetUPSVars("test"))
show("GetUPSVars nosuch", lambda: anon.GetUPSVars("nosuch"))
show("GetUPSVars down", lambda: anon.GetUPSVars("down"))
show("GetUPSCommands test", lambda: anon.GetUPSCommands("test"))
show("GetRWVars test", lambda: anon.GetRWVars("test"))
show("GetRWVars fsdtest", lambda: anon.GetRWVars("fsdtest"))
show("ListClients test", lambda: anon.ListClients("test"))
show("help", anon.help)
show("RunUPSCommand anonymous", lambda: anon.RunUPSCommand("test", "load.off"))

admin = PyNUT.PyNUTClient(host=host, port=port, login="admin", password="secret")
show("SetRWVar ok", lambda: admin.SetRWVar("test", "ups.mfr", "Acme"))
show("SetRWVar readonly", lambda: admin.SetRWVar("test", "device.mfr", "x"))
show("SetRWVar unknown", lambda: admin.SetRWVar("test", "nosuch.var", "x"))
show("RunUPSCommand ok", lambda: admin.RunUPSCommand("test", "load.off"))
show("RunUPSCommand unknown", lambda: admin.RunUPSCommand("test", "nosuch.cmd"))

bad = PyNUT.PyNUTClient(host=host, port=port, login="admin", password="wrong")
show("SetRWVar bad password", lambda: bad.SetRWVar("test", "ups.mfr", "Acme"))

mon = PyNUT.PyNUTClient(host=host, port=port, login="mon", password="pass")
show("FSD fsdtest", lambda: mon.FSD("fsdtest"))
show("GetUPSVars fsdtest", lambda: mon.GetUPSVars("fsdtest"))
