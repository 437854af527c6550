# Generates the stress scenarios of docs/performance.md ("Chain limits"): python3 eng/chain-stress-scenarios.py KIND N [M] OUT.json
# KIND: layers N (one tier, N layers, every cut on the frontier); tiers N (N unlinked tiers); tierslayers N M; full N M (N fully linked tiers, M layers, a deadline).
import json,sys
def base(tiers,links=[]):
    return {"objective":{"lambda":"30 ms/J"},"device":{"compute":"80 GFLOP/s","computeEnergy":"0.55 J/GFLOP","radioEnergy":"0.9 J/MB"},"tiers":tiers,"links":links}
kind=sys.argv[1]; n=int(sys.argv[2])
if kind=='layers':
    # one tier; later cuts: more device energy, less transfer
    d=base([{"name":"fog","compute":"2500 GFLOP/s","uplink":"120 Mbit/s","roundTrip":"6 ms"}]); d["device"]["radioEnergy"]="0 J/MB"
    layers=[{"name":f"l{i}","work":"0.001 GFLOP","output":f"{(n-i)*0.01+0.01:.6f} MB"} for i in range(n)]
    d["request"]={"input":f"{n*0.01+0.02:.6f} MB","layers":layers}
elif kind=='tiers':
    d=base([{"name":f"t{i}","compute":"2500 GFLOP/s","uplink":"120 Mbit/s","roundTrip":"6 ms"} for i in range(n)])
    d["request"]={"input":"0.3 MB","layers":[{"name":"a","work":"1 GFLOP","output":"1 MB"},{"name":"b","work":"1 GFLOP","output":"0 B"}]}
elif kind=='tierslayers':
    t,l=n,int(sys.argv[3])
    d=base([{"name":f"t{i}","compute":"2500 GFLOP/s","uplink":"120 Mbit/s","roundTrip":"6 ms"} for i in range(t)])
    d["request"]={"input":"0.3 MB","layers":[{"name":f"l{i}","work":"0.001 GFLOP","output":"0.1 MB"} for i in range(l)]}
elif kind=='full':
    t,l=n,int(sys.argv[3])
    d=base([{"name":f"t{i}","compute":f"{1000+100*i} GFLOP/s","uplink":f"{50+10*i} Mbit/s","roundTrip":"6 ms"} for i in range(t)],
           [{"from":f"t{i}","to":f"t{j}","rate":"1 Gbit/s","roundTrip":"2 ms"} for i in range(t) for j in range(t) if i!=j])
    d["request"]={"input":"0.3 MB","deadline":"500 ms","layers":[{"name":f"l{i}","work":f"{0.001*(1+i%7):.3f} GFLOP","output":f"{0.01*(1+(i*13)%11):.3f} MB"} for i in range(l)]}
json.dump(d,open(sys.argv[-1],'w'))
